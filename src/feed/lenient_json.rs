//! Second chances for JSON documents feed-rs refuses, mended into a JSON
//! Feed 1.1 the way lenient readers take them: an unknown or missing
//! version, a missing title, item ids that are numbers or missing, `tags`
//! written as one comma-separated string, RSS 2.0 written as JSON (as some
//! long-running blogs publish their `rss.json`), and a document cut short,
//! read up to its last whole item.

use serde_json::{Map, Value, json};

/// The version mended documents are read as.
const JSON_FEED_1_1: &str = "https://jsonfeed.org/version/1.1";

/// A mended JSON Feed and what was mended, or None when nothing applied.
pub fn mend_json(text: &str) -> Option<(String, Vec<&'static str>)> {
    let mut mended = Vec::new();
    let mut feed: Value = match serde_json::from_str(text) {
        Ok(feed) => feed,
        Err(_) => {
            let whole = items_before_damage(text)?;
            mended.push("a JSON Feed cut short read up to its last whole item");
            serde_json::from_str(&whole).ok()?
        }
    };
    if let Some(channel) = rss_channel(&feed) {
        feed = json_feed_of_channel(channel);
        mended.push("RSS 2.0 written as JSON read as a JSON Feed");
    }
    let object = feed.as_object_mut()?;
    object.get("items")?.as_array()?;
    let version_known = object
        .get("version")
        .and_then(|v| v.as_str())
        .is_some_and(|v| v.starts_with("https://jsonfeed.org/version/1"));
    if !version_known {
        object.insert("version".into(), JSON_FEED_1_1.into());
        mended.push("a JSON Feed version read as 1.1");
    }
    if !object.get("title").is_some_and(|t| t.is_string()) {
        object.insert("title".into(), "".into());
        mended.push("a JSON Feed title added");
    }
    let items = object.get_mut("items")?.as_array_mut()?;
    for item in items.iter_mut().filter_map(Value::as_object_mut) {
        if let Some(what) = mend_id(item) {
            note(&mut mended, what);
        }
        if let Some(Value::String(tags)) = item.get("tags") {
            let list: Vec<Value> = tags
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(Value::from)
                .collect();
            item.insert("tags".into(), Value::Array(list));
            note(&mut mended, "comma-separated JSON Feed tags read as a list");
        }
    }
    (!mended.is_empty()).then(|| (feed.to_string(), mended))
}

fn note(mended: &mut Vec<&'static str>, what: &'static str) {
    if !mended.contains(&what) {
        mended.push(what);
    }
}

/// A text id for an item whose id is a number or missing (its URL stands
/// in, as JSON Feed 1.0 readers do); what was done, if anything.
fn mend_id(item: &mut Map<String, Value>) -> Option<&'static str> {
    let (id, what) = match item.get("id") {
        Some(Value::String(_)) => return None,
        Some(Value::Number(n)) => (n.to_string(), "JSON Feed item ids read as text"),
        _ => {
            let url = item.get("url").and_then(Value::as_str).unwrap_or("");
            (url.to_string(), "JSON Feed item ids added")
        }
    };
    item.insert("id".into(), id.into());
    Some(what)
}

/// The `channel` of an RSS 2.0 document written as JSON:
/// `{"rss": {"channel": {"title": …, "item": [...]}}}`.
fn rss_channel(document: &Value) -> Option<&Map<String, Value>> {
    document.get("rss")?.get("channel")?.as_object()
}

/// A JSON Feed holding what an RSS channel written as JSON says.
fn json_feed_of_channel(channel: &Map<String, Value>) -> Value {
    let text = |object: &Map<String, Value>, key: &str| {
        object.get(key).and_then(Value::as_str).map(str::to_string)
    };
    let items: Vec<&Map<String, Value>> = match channel.get("item") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(item)) => vec![item],
        _ => Vec::new(),
    };
    let items: Vec<Value> = items
        .into_iter()
        .map(|item| {
            let link = text(item, "link");
            // A guid is a string, or {"value": …, "isPermaLink"/"flPermaLink": …}.
            let guid = match item.get("guid") {
                Some(Value::String(guid)) => Some(guid.clone()),
                Some(Value::Object(guid)) => text(guid, "value"),
                _ => None,
            };
            let published = text(item, "pubDate").and_then(|date| {
                chrono::DateTime::parse_from_rfc2822(date.trim())
                    .ok()
                    .map(|d| d.to_rfc3339())
            });
            let tags: Vec<Value> = match item.get("category") {
                Some(Value::String(tag)) => vec![tag.clone().into()],
                Some(Value::Array(tags)) => tags
                    .iter()
                    .filter_map(|t| t.as_str().or_else(|| t.get("value")?.as_str()))
                    .map(Value::from)
                    .collect(),
                _ => Vec::new(),
            };
            json!({
                "id": guid.clone().or(link.clone()).unwrap_or_default(),
                "url": link,
                "title": text(item, "title"),
                "content_html": text(item, "description"),
                "date_published": published,
                "tags": tags,
            })
        })
        .collect();
    json!({
        "version": JSON_FEED_1_1,
        "title": text(channel, "title").unwrap_or_default(),
        "home_page_url": text(channel, "link"),
        "description": text(channel, "description"),
        "items": items,
    })
}

/// A JSON Feed cut short (a truncated download), closed after its last
/// whole item: None when it is not cut short, or holds no whole item.
/// Only whole items are kept, so nothing half-read reaches a rule.
fn items_before_damage(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    // Open objects and arrays, and where the top-level `items` array is.
    let mut open: Vec<u8> = Vec::new();
    let mut last_top_key: Option<&str> = None;
    let mut in_items = false;
    let mut cut: Option<(usize, &str)> = None;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                let Some(end) = string_end(bytes, at) else {
                    break;
                };
                if open == [b'{'] {
                    last_top_key = Some(&text[at + 1..end]);
                }
                at = end;
            }
            b'{' => open.push(b'{'),
            b'[' => {
                if open == [b'{'] && last_top_key == Some("items") {
                    in_items = true;
                }
                open.push(b'[');
            }
            b'}' | b']' => {
                open.pop();
                match (in_items, open.len()) {
                    // An item closed: the document can end after it.
                    (true, 2) if bytes[at] == b'}' => cut = Some((at + 1, "]}")),
                    (true, 1) => {
                        in_items = false;
                        cut = Some((at + 1, "}"));
                    }
                    _ => {}
                }
                if open.is_empty() {
                    // Whole: whatever is wrong with it is not a cut.
                    return None;
                }
            }
            _ => {}
        }
        at += 1;
    }
    let (end, closing) = cut?;
    Some(format!("{}{closing}", &text[..end]))
}

/// The index of the quote that closes the string opening at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return Some(at),
            _ => at += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mended(text: &str) -> (Value, Vec<&'static str>) {
        let (text, what) = mend_json(text).unwrap();
        (serde_json::from_str(&text).unwrap(), what)
    }

    #[test]
    fn json_feeds_get_a_known_version_and_text_ids() {
        let (feed, what) = mended(
            r#"{"version":"1.0","items":[{"id":7,"url":"https://e.org/a"},{"url":"https://e.org/b"}]}"#,
        );
        assert_eq!(feed["version"], JSON_FEED_1_1);
        assert_eq!(feed["items"][0]["id"], "7");
        assert_eq!(feed["items"][1]["id"], "https://e.org/b");
        assert_eq!(what.len(), 4, "{what:?}");
    }

    #[test]
    fn tags_in_one_string_are_read_as_a_list() {
        let (feed, what) = mended(
            r#"{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","tags":"peace, talks ,,un"}]}"#,
        );
        assert_eq!(feed["items"][0]["tags"], json!(["peace", "talks", "un"]));
        assert_eq!(what, ["comma-separated JSON Feed tags read as a list"]);
    }

    #[test]
    fn rss_written_as_json_is_read_as_a_json_feed() {
        let (feed, _) = mended(
            r#"{"rss":{"version":"2.0","channel":{"title":"Scripting","link":"http://scripting.example/",
               "item":[{"description":"A <b>ceasefire</b> note","pubDate":"Mon, 01 Dec 2025 14:05:00 GMT",
                        "link":"http://scripting.example/2025/12/01.html#a1",
                        "guid":{"flPermaLink":true,"value":"http://scripting.example/2025/12/01.html#a1"},
                        "category":["peace",{"value":"talks"}]},
                       {"title":"Second","link":"http://scripting.example/b","guid":"b-1"}]}}}"#,
        );
        assert_eq!(feed["title"], "Scripting");
        let first = &feed["items"][0];
        assert_eq!(first["id"], "http://scripting.example/2025/12/01.html#a1");
        assert_eq!(first["content_html"], "A <b>ceasefire</b> note");
        assert_eq!(first["date_published"], "2025-12-01T14:05:00+00:00");
        assert_eq!(first["tags"], json!(["peace", "talks"]));
        assert_eq!(feed["items"][1]["id"], "b-1");
        assert_eq!(feed["items"][1]["title"], "Second");
    }

    #[test]
    fn a_feed_cut_short_keeps_only_its_whole_items() {
        let whole = r#"{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","content_text":"a } in \" text"},{"id":"2","content_text":"b"},{"id":"3","content_te"#;
        let (feed, what) = mended(whole);
        let ids: Vec<&str> = feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["1", "2"]);
        assert_eq!(
            what[0],
            "a JSON Feed cut short read up to its last whole item"
        );
        // Cut before any whole item: nothing to read.
        assert!(mend_json(r#"{"version":"1","items":[{"id":"1","#).is_none());
        // Whole but broken otherwise: not taken for a cut.
        assert!(mend_json(r#"{"items":[{"id":"1"}] "x"}"#).is_none());
    }
}
