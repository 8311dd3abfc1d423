//! Builds again when a migration is added or changed: `sqlx::migrate!`
//! embeds them, and cargo would not otherwise look at the directory.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
