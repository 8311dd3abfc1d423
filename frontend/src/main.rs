//! Starts the Tessera browser app in the page's `<body>`.

fn main() {
    yew::Renderer::<frontend::App>::new().render();
}
