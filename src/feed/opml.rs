//! OPML 2.0 subscription lists, as feed readers import and export them:
//! the feeds an OPML file lists (with the categories they sit in), and
//! OPML for the configured feeds. Pure: text in, text out.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// Why a file is not OPML newshound can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OpmlError(String);

/// One subscription of an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The outline's title (or text), as the reader showed it.
    pub title: String,
    pub url: String,
    /// The categories (enclosing outlines, and a `category` attribute).
    pub categories: Vec<String>,
}

/// The subscriptions `opml` lists, in order; an error says what is wrong.
pub fn read(opml: &str) -> Result<Vec<Subscription>, OpmlError> {
    let mut reader = Reader::from_str(opml);
    let mut found = Vec::new();
    // For each open <outline>: the category it names, if it is one.
    let mut open: Vec<Option<String>> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| {
            OpmlError(format!(
                "not valid OPML at byte {}: {e}",
                reader.buffer_position()
            ))
        })?;
        match event {
            Event::Start(e) if e.local_name().as_ref() == "outline" => {
                let outline = Outline::of(&e)?;
                match outline.url {
                    Some(_) => {
                        found.push(outline.subscription(&open));
                        open.push(None);
                    }
                    None => open.push(Some(outline.title)),
                }
            }
            Event::Empty(e) if e.local_name().as_ref() == "outline" => {
                let outline = Outline::of(&e)?;
                if outline.url.is_some() {
                    found.push(outline.subscription(&open));
                }
            }
            Event::End(e) if e.local_name().as_ref() == "outline" => {
                open.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(found)
}

/// An `<outline>`'s attributes that matter here.
struct Outline {
    title: String,
    url: Option<String>,
    categories: Vec<String>,
}

impl Outline {
    fn of(element: &BytesStart) -> Result<Outline, OpmlError> {
        let (mut title, mut text, mut url, mut categories) = (None, None, None, Vec::new());
        for attribute in element.attributes() {
            let attribute = attribute.map_err(|e| {
                OpmlError(format!("not valid OPML: a broken outline attribute: {e}"))
            })?;
            let value = attribute
                .normalized_value(XmlVersion::default())
                .map_err(|e| OpmlError(format!("not valid OPML: a broken outline attribute: {e}")))?
                .trim()
                .to_string();
            match attribute.key.local_name().as_ref() {
                "title" => title = Some(value),
                "text" => text = Some(value),
                "xmlUrl" | "xmlurl" => url = Some(value).filter(|u| !u.is_empty()),
                // Comma-separated; a leading "/" marks a path of categories.
                "category" => categories.extend(
                    value
                        .split([',', '/'])
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_string),
                ),
                _ => {}
            }
        }
        Ok(Outline {
            title: title.filter(|t| !t.is_empty()).or(text).unwrap_or_default(),
            url,
            categories,
        })
    }

    fn subscription(self, open: &[Option<String>]) -> Subscription {
        let mut categories: Vec<String> = open.iter().flatten().cloned().collect();
        for c in self.categories {
            if !categories.contains(&c) {
                categories.push(c);
            }
        }
        Subscription {
            title: self.title,
            url: self.url.unwrap_or_default(),
            categories,
        }
    }
}

/// OPML 2.0 listing `feeds` as (name, url, tags).
pub fn write(feeds: &[(&str, &str, &[String])], created: &str) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>newshound feeds</title>\n",
    );
    out.push_str(&format!(
        "    <dateCreated>{}</dateCreated>\n  </head>\n  <body>\n",
        escape(created)
    ));
    for (name, url, tags) in feeds {
        let category = match tags.is_empty() {
            true => String::new(),
            false => format!(" category=\"{}\"", escape(&tags.join(","))),
        };
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{0}\" title=\"{0}\" xmlUrl=\"{1}\"{category}/>\n",
            escape(name),
            escape(url)
        ));
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}
