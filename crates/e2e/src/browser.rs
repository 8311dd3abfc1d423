//! Headless Debian Chromium, driven through a chromedriver child process.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;
use thirtyfour::prelude::*;

use crate::eventually;

/// A chromedriver on a free local port; killed when dropped.
pub struct Chromedriver {
    child: Child,
    url: String,
}

impl Chromedriver {
    /// Spawns `CHROMEDRIVER` (default `/usr/bin/chromedriver`) and waits until it accepts connections.
    ///
    /// # Panics
    /// When chromedriver is missing or does not start listening within 10 s.
    pub fn start() -> Self {
        let bin = tool_path("CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", bin.display()));
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // Already exited is fine too.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One headless Chromium with a fresh profile, pointed at one server.
///
/// Call [`Browser::quit`] at the end of a test; on a panic the session is torn
/// down when dropped, then chromedriver is killed.
pub struct Browser {
    // Field order is drop order: the session goes before its chromedriver.
    driver: WebDriver,
    base_url: String,
    _chromedriver: Chromedriver,
    _profile: TempDir,
}

impl Browser {
    /// Opens Chromium (`CHROMIUM`, default `/usr/bin/chromium`) for the app at `base_url`.
    pub async fn open(base_url: &str) -> Self {
        let binary = tool_path("CHROMIUM", "/usr/bin/chromium");
        let chromedriver = Chromedriver::start();
        let profile = TempDir::new().expect("temp dir");
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&binary.to_string_lossy())
            .expect("binary capability");
        let user_data_dir = format!("--user-data-dir={}", profile.path().display());
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1000,800",
            &user_data_dir,
        ] {
            caps.add_arg(arg).expect("chrome argument");
        }
        let driver = WebDriver::new(chromedriver.url.as_str(), caps)
            .await
            .expect("a Chromium session");
        Self {
            driver,
            base_url: base_url.to_owned(),
            _chromedriver: chromedriver,
            _profile: profile,
        }
    }

    /// Loads `path` (e.g. `/sign-in`) from the server.
    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base_url);
        self.driver.goto(url.as_str()).await.expect("navigation");
    }

    /// Reloads the page, like the browser's reload button.
    pub async fn reload(&self) {
        self.driver.refresh().await.expect("reload");
    }

    /// The browser's Back button.
    pub async fn back(&self) {
        self.driver.back().await.expect("back");
    }

    /// The browser's Forward button.
    pub async fn forward(&self) {
        self.driver.forward().await.expect("forward");
    }

    /// Waits until the address bar shows `path`.
    pub async fn wait_for_path(&self, path: &str) {
        eventually(&format!("the page at {path}"), || async {
            let url = self
                .driver
                .current_url()
                .await
                .map_err(|err| err.to_string())?;
            if url.path() == path {
                Ok(())
            } else {
                Err(url.path().to_owned())
            }
        })
        .await;
    }

    /// The trimmed text of the first element matching `css`, or `None` if there is none.
    pub async fn text(&self, css: &str) -> Option<String> {
        let element = self.driver.find(By::Css(css)).await.ok()?;
        Some(element.text().await.ok()?.trim().to_owned())
    }

    /// Waits until the element matching `css` shows text that `accept` takes, and returns it.
    pub async fn wait_for_text_where(
        &self,
        css: &str,
        what: &str,
        accept: impl Fn(&str) -> bool,
    ) -> String {
        eventually(&format!("{css} to show {what}"), || async {
            match self.text(css).await {
                Some(text) if accept(&text) => Ok(text),
                Some(text) => Err(format!("{text:?}")),
                None => Err("no such element".to_owned()),
            }
        })
        .await
    }

    /// Waits until the element matching `css` shows exactly `expected` (trimmed).
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        self.wait_for_text_where(css, &format!("{expected:?}"), |text| text == expected)
            .await;
    }

    /// Waits until the element matching `css` shows text containing `needle`; returns the text.
    pub async fn wait_for_text_containing(&self, css: &str, needle: &str) -> String {
        self.wait_for_text_where(css, &format!("text containing {needle:?}"), |text| {
            text.contains(needle)
        })
        .await
    }

    /// Replaces the value of the input matching `css` with `value`, as if typed.
    pub async fn fill(&self, css: &str, value: &str) {
        let input = self.element(css).await;
        input.clear().await.expect("clear");
        input.send_keys(value).await.expect("typing");
    }

    /// Presses Enter in the element matching `css` (submits its form).
    pub async fn press_enter(&self, css: &str) {
        self.element(css)
            .await
            .send_keys(Key::Enter)
            .await
            .expect("Enter");
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        self.element(css).await.click().await.expect("click");
    }

    /// `localStorage.getItem(key)` in the page.
    pub async fn local_storage(&self, key: &str) -> Option<String> {
        let script = "return window.localStorage.getItem(arguments[0]);";
        let value = self.script(script, vec![json!(key)]).await;
        value.as_str().map(str::to_owned)
    }

    /// Runs `script` in the page (a returned promise is awaited) and returns its result.
    pub async fn script(&self, script: &str, args: Vec<Value>) -> Value {
        let ret = self.driver.execute(script, args).await.expect("script");
        ret.json().clone()
    }

    /// Ends the session and closes Chromium.
    pub async fn quit(self) {
        self.driver.quit().await.expect("quit");
    }

    /// Waits for an element matching `css` to be present.
    async fn element(&self, css: &str) -> WebElement {
        eventually(&format!("an element matching {css}"), || async {
            self.driver
                .find(By::Css(css))
                .await
                .map_err(|err| err.to_string())
        })
        .await
    }
}

/// The tool at env `var`, or at `default`.
///
/// # Panics
/// When it does not exist, with the way to install it.
fn tool_path(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.is_file(),
        "{} not found (set {var} to override): install Debian's chromium and chromium-driver, \
         e.g. `scripts/install-frontend-tools --browser`",
        path.display()
    );
    path
}
