//! Checks of the page as rendered: controls that overlap, sideways scrolling,
//! and axe-core's accessibility rules.

use serde_json::Value;

use crate::{axe_script, Browser};

/// What the layout check finds: pairs of visible controls (links, buttons,
/// form fields, labels, summaries, headings) whose boxes intersect, neither
/// inside the other, and a document wider than the viewport.
const LAYOUT: &str = r##"
    const controls = [...document.querySelectorAll(
        "a, button, input, select, textarea, label, summary, h1, h2, h3")]
        .filter(el => {
            const box = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
        });
    const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + " \"" + el.textContent.trim().slice(0, 30) + "\"";
    const problems = [];
    for (let i = 0; i < controls.length; i++) {
        for (let j = i + 1; j < controls.length; j++) {
            const [a, b] = [controls[i], controls[j]];
            if (a.contains(b) || b.contains(a)) continue;
            const [p, q] = [a.getBoundingClientRect(), b.getBoundingClientRect()];
            // Half a pixel of slack: touching boxes are fine.
            if (p.left < q.right - 0.5 && q.left < p.right - 0.5
                && p.top < q.bottom - 0.5 && q.top < p.bottom - 0.5) {
                problems.push(name(a) + " overlaps " + name(b));
            }
        }
    }
    const width = document.documentElement.scrollWidth;
    if (width > window.innerWidth) {
        problems.push("the document is " + width + " px wide in a "
            + window.innerWidth + " px viewport");
    }
    return problems;
"##;

/// Runs axe-core on the page and lists its serious and critical violations.
const AXE: &str = r#"
    return axe.run(document, { resultTypes: ["violations"] }).then(results =>
        results.violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => v.impact + " " + v.id + ": " + v.help + " at "
                + v.nodes.map(node => node.target.join(" ")).join(", ")));
"#;

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| item.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The layout problems of the page as it is now (see [`LAYOUT`]); empty when none.
pub async fn layout_problems(browser: &Browser) -> Vec<String> {
    strings(&browser.script(LAYOUT, Vec::new()).await)
}

/// axe-core's serious and critical violations on the page as it is now.
/// Injects axe-core first when the page does not have it yet.
pub async fn axe_violations(browser: &Browser) -> Vec<String> {
    let loaded = browser
        .script("return typeof axe !== 'undefined';", Vec::new())
        .await;
    if loaded != Value::Bool(true) {
        browser.script(&axe_script(), Vec::new()).await;
    }
    strings(&browser.script(AXE, Vec::new()).await)
}

/// The screens every page is checked on, in CSS pixels: a phone and a laptop.
pub const VIEWPORTS: [(u32, u32); 2] = [(390, 844), (1280, 800)];

/// Checks the page as it is now on every viewport of [`VIEWPORTS`] (no
/// overlapping controls, no sideways scrolling), then with axe-core; `page`
/// names it in the failure.
pub async fn check_page(browser: &Browser, page: &str) {
    for (width, height) in VIEWPORTS {
        browser.set_viewport(width, height).await;
        let problems = layout_problems(browser).await;
        assert!(
            problems.is_empty(),
            "{page} at {width}×{height}: {problems:#?}"
        );
        let violations = axe_violations(browser).await;
        assert!(
            violations.is_empty(),
            "{page} at {width}×{height}: {violations:#?}"
        );
    }
}
