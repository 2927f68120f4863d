//! How the page looks: phone width, dark mode and the print view (media
//! emulated through Chrome DevTools, by way of chromedriver).

use crate::browser::eval;
use crate::harness::browse;
use anyhow::ensure;
use fantoccini::{Client, Locator};

#[tokio::test]
async fn a_phone_wide_screen_has_no_sideways_scroll() {
    browse(
        "phone",
        true,
        Box::new(|c, base| {
            Box::pin(async move {
                c.set_window_size(390, 844).await?;
                c.goto(&format!("{base}/?q=side+effects+of+nexavar"))
                    .await?;
                let fits = eval(
                    &c,
                    "return document.documentElement.scrollWidth <= window.innerWidth",
                )
                .await?;
                ensure!(fits == true, "the page scrolls sideways at phone width");
                // The answer comes before the topic list on a phone.
                let order = eval(
                    &c,
                    "return document.getElementById('answer').getBoundingClientRect().top < \
            document.getElementById('topics').getBoundingClientRect().top",
                )
                .await?;
                ensure!(order == true);
                Ok(())
            })
        }),
    )
    .await;
}

/// A Chrome DevTools command through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp(serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(self.0.to_string()))
    }
}

async fn emulate(c: &Client, media: &str, scheme: &str) -> anyhow::Result<()> {
    c.issue_cmd(Cdp(serde_json::json!({
        "cmd": "Emulation.setEmulatedMedia",
        "params": {"media": media, "features": [{"name": "prefers-color-scheme", "value": scheme}]},
    })))
    .await?;
    Ok(())
}

async fn shown(c: &Client, css: &str) -> anyhow::Result<bool> {
    Ok(c.find(Locator::Css(css)).await?.is_displayed().await?)
}

#[tokio::test]
async fn dark_mode_and_the_print_view() {
    browse(
        "dark-print",
        true,
        Box::new(|c, base| {
            Box::pin(async move {
                c.goto(&format!("{base}/topics/tace")).await?;
                let background = "return getComputedStyle(document.body).backgroundColor";
                emulate(&c, "screen", "light").await?;
                ensure!(eval(&c, background).await? == "rgb(255, 255, 255)");
                emulate(&c, "screen", "dark").await?;
                let dark = eval(&c, background).await?;
                ensure!(dark == "rgb(15, 17, 21)", "dark background: {dark}");
                // Print: the answer, its source and footer; no search, topics or buttons.
                emulate(&c, "print", "light").await?;
                for chrome in ["header", "#topics", "#answer .actions", "#answer .next"] {
                    ensure!(!shown(&c, chrome).await?, "{chrome} is printed");
                }
                for kept in ["#answer h2", "#answer .source", "#answer .footer"] {
                    ensure!(shown(&c, kept).await?, "{kept} is not printed");
                }
                Ok(())
            })
        }),
    )
    .await;
}
