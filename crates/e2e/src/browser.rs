//! Headless Debian Chromium, driven through a chromedriver child process.

use serde_json::{json, Value};
use tempfile::TempDir;
use thirtyfour::prelude::*;

use crate::chromedriver::{tool_path, Chromedriver};
use crate::eventually;

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

    /// Leaves the app for an empty page, stopping it (and its timers).
    pub async fn leave(&self) {
        self.driver.goto("about:blank").await.expect("navigation");
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

    /// Lays the page out as on a screen `width` × `height` CSS pixels (device
    /// emulation: the window's own size would include its frame).
    pub async fn set_viewport(&self, width: u32, height: u32) {
        let params = json!({
            "width": width,
            "height": height,
            "deviceScaleFactor": 1,
            "mobile": false,
        });
        self.driver
            .cdp()
            .send_raw("Emulation.setDeviceMetricsOverride", params)
            .await
            .expect("device metrics override");
    }

    /// Adds a virtual platform authenticator (Chrome DevTools' WebAuthn
    /// domain): it keeps discoverable credentials and verifies its user at
    /// once, as a phone's fingerprint reader would. Returns its id.
    pub async fn add_virtual_authenticator(&self) -> String {
        let cdp = self.driver.cdp();
        cdp.send_raw("WebAuthn.enable", json!({ "enableUI": false }))
            .await
            .expect("WebAuthn.enable");
        let options = json!({ "options": {
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserVerified": true,
            "automaticPresenceSimulation": true,
        }});
        let added = cdp
            .send_raw("WebAuthn.addVirtualAuthenticator", options)
            .await
            .expect("WebAuthn.addVirtualAuthenticator");
        added["authenticatorId"]
            .as_str()
            .expect("an authenticator id")
            .to_owned()
    }

    /// Lets the page write and read the clipboard without asking (Chrome
    /// DevTools' Browser domain), as a user allowing it would.
    pub async fn grant_clipboard(&self) {
        let params = json!({
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
            "origin": self.base_url,
        });
        self.driver
            .cdp()
            .send_raw("Browser.grantPermissions", params)
            .await
            .expect("Browser.grantPermissions");
    }

    /// Whether authenticator `id` confirms its user's presence at once (on
    /// when added). Off, its requests wait, as for a user who has not yet
    /// touched the sensor or picked a passkey from autofill.
    pub async fn set_user_presence(&self, id: &str, present: bool) {
        let params = json!({ "authenticatorId": id, "enabled": present });
        self.driver
            .cdp()
            .send_raw("WebAuthn.setAutomaticPresenceSimulation", params)
            .await
            .expect("WebAuthn.setAutomaticPresenceSimulation");
    }

    /// The credentials authenticator `id` holds (DevTools' WebAuthn domain).
    pub async fn authenticator_credentials(&self, id: &str) -> Vec<Value> {
        let params = json!({ "authenticatorId": id });
        let held = self
            .driver
            .cdp()
            .send_raw("WebAuthn.getCredentials", params)
            .await
            .expect("WebAuthn.getCredentials");
        held["credentials"].as_array().cloned().unwrap_or_default()
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
