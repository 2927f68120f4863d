//! The page in a real headless Chromium: typing answers as you type, topic
//! links, the keyboard alone, Copy, JavaScript off, an emergency's 911 text
//! first. The first test also saves the README's screenshot.

use crate::harness::{browse, repo, until};
use anyhow::{Context, ensure};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

async fn text(c: &Client, css: &str) -> anyhow::Result<String> {
    Ok(c.find(Locator::Css(css))
        .await
        .context(css.to_string())?
        .text()
        .await?)
}

pub async fn eval(c: &Client, js: &str) -> anyhow::Result<serde_json::Value> {
    Ok(c.execute(js, vec![]).await?)
}

/// Waits until the answer's heading reads `want`.
async fn heading_is(c: &Client, want: &str) -> anyhow::Result<()> {
    until(&format!("the heading {want:?}"), || async {
        Ok(text(c, "#answer h2").await.unwrap_or_default() == want)
    })
    .await
}

async fn type_in_box(c: &Client, q: &str) -> anyhow::Result<()> {
    let boxed = c.find(Locator::Id("q")).await?;
    boxed.clear().await?;
    boxed.send_keys(q).await?;
    Ok(())
}

fn key(k: Key) -> String {
    char::from(k).to_string()
}

#[tokio::test]
async fn typing_a_question_shows_the_answer_as_you_type() {
    browse(
        "typing",
        true,
        Box::new(|c, base| {
            Box::pin(async move {
                c.goto(&base).await?;
                type_in_box(&c, "side effects of nexavar").await?;
                heading_is(&c, "Side effects of sorafenib (Nexavar)").await?;
                let answer = text(&c, "#answer").await?;
                ensure!(answer.contains("fatigue, rash"), "the passage: {answer}");
                ensure!(
                    text(&c, "#answer .source")
                        .await?
                        .contains("Last Medical Review")
                );
                ensure!(answer.contains("1-800-227-2345") && answer.contains("1-800-303-5691"));
                ensure!(answer.contains("not medical advice"));
                ensure!(
                    c.current_url()
                        .await?
                        .as_str()
                        .ends_with("/?q=side+effects+of+nexavar")
                        || c.current_url()
                            .await?
                            .as_str()
                            .contains("?q=side%20effects%20of%20nexavar"),
                    "the address is shareable: {}",
                    c.current_url().await?
                );
                ensure!(
                    text(&c, "#answer .next").await?.contains("regorafenib"),
                    "next best topics"
                );
                let said = eval(&c, "return document.getElementById('status').textContent").await?;
                ensure!(
                    said == "Side effects of sorafenib (Nexavar)",
                    "a screen reader hears {said}"
                );
                // Another question replaces the answer without a page load.
                c.execute("window.notReloaded = true", vec![]).await?;
                type_in_box(&c, "what is a clinical trial").await?;
                until("a new answer", || async {
                    Ok(text(&c, "#answer h2")
                        .await
                        .unwrap_or_default()
                        .to_lowercase()
                        .contains("clinical trial"))
                })
                .await?;
                ensure!(
                    eval(&c, "return window.notReloaded === true").await? == true,
                    "no reload"
                );
                // Time of the requests the typing made, on loopback.
                let slowest = eval(
                    &c,
                    "return Math.max(...performance.getEntriesByType('resource')\
            .filter(e => e.name.includes('/fragment')).map(e => e.duration))",
                )
                .await?;
                let slowest = slowest.as_f64().context("durations")?;
                eprintln!("slowest answer while typing: {slowest:.1} ms");
                ensure!(slowest < 50.0, "an answer took {slowest} ms");
                // The README's screenshot (committed when asked for).
                type_in_box(&c, "side effects of nexavar").await?;
                heading_is(&c, "Side effects of sorafenib (Nexavar)").await?;
                let png = c.screenshot().await?;
                std::fs::write(repo().join("target").join("web.png"), &png)?;
                if std::env::var_os("LIVERLINE_UPDATE_SCREENSHOT").is_some() {
                    std::fs::write(repo().join("docs").join("web.png"), &png)?;
                }
                Ok(())
            })
        }),
    )
    .await;
}

#[tokio::test]
async fn topic_links_open_their_own_address() {
    browse(
        "links",
        true,
        Box::new(|c, base| {
            Box::pin(async move {
                c.goto(&base).await?;
                c.find(Locator::Css("#topics a[href='/topics/tace']"))
                    .await?
                    .click()
                    .await?;
                heading_is(&c, "Chemoembolization (TACE)").await?;
                ensure!(c.current_url().await?.path() == "/topics/tace");
                ensure!(c.title().await?.starts_with("Chemoembolization (TACE)"));
                c.find(Locator::Css("#answer .more a"))
                    .await?
                    .click()
                    .await?;
                until("the whole section", || async {
                    Ok(c.current_url()
                        .await?
                        .as_str()
                        .ends_with("/topics/tace?more=1"))
                })
                .await?;
                c.find(Locator::Css("#answer .next a"))
                    .await?
                    .click()
                    .await?;
                until("a related topic", || async {
                    Ok(c.current_url().await?.path().starts_with("/topics/")
                        && !c.current_url().await?.path().ends_with("/tace"))
                })
                .await?;
                Ok(())
            })
        }),
    )
    .await;
}

#[tokio::test]
async fn the_keyboard_alone_is_enough() {
    browse(
        "keyboard",
        true,
        Box::new(|c, base| {
            Box::pin(async move {
                c.goto(&base).await?;
                let active = || async {
                    Ok::<_, anyhow::Error>(
                        c.active_element()
                            .await?
                            .attr("id")
                            .await?
                            .unwrap_or_default(),
                    )
                };
                until("the search box focused on load", || async {
                    Ok(active().await? == "q")
                })
                .await?;
                let boxed = c.active_element().await?;
                boxed
                    .send_keys(&format!("what is rfa{}", key(Key::Enter)))
                    .await?;
                until("focus on the answer after Enter", || async {
                    Ok(active().await? == "answer")
                })
                .await?;
                ensure!(
                    text(&c, "#answer h2")
                        .await?
                        .to_lowercase()
                        .contains("radiofrequency")
                );
                // Tab goes through the answer's links and buttons, in reading order.
                let mut seen = Vec::new();
                for _ in 0..4 {
                    c.active_element().await?.send_keys(&key(Key::Tab)).await?;
                    let el = c.active_element().await?;
                    seen.push(format!("{}:{}", el.tag_name().await?, el.text().await?));
                }
                ensure!(seen[0].starts_with("a:The whole section"), "{seen:?}");
                ensure!(
                    seen[1] == "button:Copy" && seen[2] == "button:Print",
                    "{seen:?}"
                );
                // "/" comes back to the box; Escape empties it.
                c.active_element().await?.send_keys("/").await?;
                until("the box focused by /", || async {
                    Ok(active().await? == "q")
                })
                .await?;
                c.active_element()
                    .await?
                    .send_keys(&key(Key::Escape))
                    .await?;
                heading_is(&c, "Ask a question").await?;
                // Before the box: the site link, then the skip link, first on the page.
                let back = format!("{}{}{}", key(Key::Shift), key(Key::Tab), key(Key::Shift));
                for want in ["liverline", "Skip to the answer"] {
                    c.active_element().await?.send_keys(&back).await?;
                    let got = c.active_element().await?.text().await?;
                    ensure!(got == want, "shift-tab reached {got:?}, not {want:?}");
                }
                Ok(())
            })
        }),
    )
    .await;
}

#[tokio::test]
async fn copy_puts_the_plain_answer_with_its_footer_on_the_clipboard() {
    browse(
        "copy",
        true,
        Box::new(|c, base| {
            Box::pin(async move {
                c.goto(&format!("{base}/topics/sorafenib_se")).await?;
                c.find(Locator::Css("#answer button.copy"))
                    .await?
                    .click()
                    .await?;
                until("the copied note", || async {
                    Ok(text(&c, "#answer .done").await?.starts_with("Copied"))
                })
                .await?;
                // Paste it into a text area of our own to read the clipboard back.
                c.execute(
                    "const t = document.createElement('textarea'); t.id = 'paste'; \
            document.body.prepend(t); t.focus();",
                    vec![],
                )
                .await?;
                c.active_element()
                    .await?
                    .send_keys(&format!("{}v{}", key(Key::Control), key(Key::Control)))
                    .await?;
                let pasted = eval(&c, "return document.getElementById('paste').value").await?;
                let pasted = pasted.as_str().unwrap_or_default().to_string();
                let engine = crate::harness::engine();
                let want = liverline::reply::plain(&engine.topic("sorafenib_se").context("topic")?);
                ensure!(pasted == want, "pasted {pasted:?}\nwanted {want:?}");
                ensure!(
                    pasted.ends_with("1-800-303-5691") && pasted.contains("not medical advice")
                );
                Ok(())
            })
        }),
    )
    .await;
}

#[tokio::test]
async fn without_javascript_the_form_and_links_still_work() {
    browse(
        "no-js",
        false,
        Box::new(|c, base| {
            Box::pin(async move {
                c.goto(&base).await?;
                type_in_box(&c, "how is sorafenib taken").await?;
                c.find(Locator::Id("q"))
                    .await?
                    .send_keys(&key(Key::Enter))
                    .await?;
                until("the answer page", || async {
                    Ok(c.current_url()
                        .await?
                        .query()
                        .unwrap_or_default()
                        .contains("q=how+is+sorafenib+taken"))
                })
                .await?;
                ensure!(text(&c, "#answer").await?.contains("twice daily"));
                ensure!(
                    !c.find(Locator::Css("#answer .actions"))
                        .await?
                        .is_displayed()
                        .await?,
                    "Copy needs the script: hidden without it"
                );
                c.find(Locator::Css("#topics a[href='/topics/rfa']"))
                    .await?
                    .click()
                    .await?;
                until("the topic page", || async {
                    Ok(c.current_url().await?.path() == "/topics/rfa")
                })
                .await?;
                ensure!(
                    text(&c, "#answer .source")
                        .await?
                        .contains("Last Medical Review")
                );
                Ok(())
            })
        }),
    )
    .await;
}

#[tokio::test]
async fn an_emergency_shows_the_911_text_first() {
    browse(
        "emergency",
        true,
        Box::new(|c, base| {
            Box::pin(async move {
                c.goto(&base).await?;
                type_in_box(&c, "my dad is vomiting blood and confused").await?;
                until("the emergency reply", || async {
                    Ok(c.find(Locator::Css("#answer .alarm")).await.is_ok())
                })
                .await?;
                let first = text(&c, "#answer article > :first-child").await?;
                ensure!(first.starts_with("Call 911"), "first: {first}");
                ensure!(c.find(Locator::Css("#answer [role=alert]")).await.is_ok());
                let all = text(&c, "#answer").await?;
                ensure!(all.trim_start().starts_with("Call 911"), "{all}");
                // The same without the script, from the address.
                c.goto(&format!("{base}/?q=he+is+vomiting+blood")).await?;
                ensure!(
                    text(&c, "#answer")
                        .await?
                        .trim_start()
                        .starts_with("Call 911")
                );
                Ok(())
            })
        }),
    )
    .await;
}
