//! The inflection set: in seven languages, every inflected form of a plain
//! rule word matches, every derived word of another meaning does not, and
//! quoted words, prefixes and `exact = true` stay as written; and end to
//! end, a poll mails the inflected form it found.

mod common;

use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use newshound::model::{ArticleText, Language};
use newshound::rules::{Query, RuleSet, RuleSpec};

/// A rule word, the forms of it a text may hold, and derived words of
/// another meaning that must not match it.
struct Case {
    language: Language,
    term: &'static str,
    forms: &'static [&'static str],
    traps: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        language: Language::English,
        term: "ceasefire",
        forms: &[
            "Ceasefires collapse across the region",
            "the ceasefire's terms",
            "CEASEFIRES",
        ],
        traps: &["cease"],
    },
    Case {
        language: Language::English,
        term: "talk",
        forms: &["talks resumed", "they talked", "talking peace", "Talks"],
        traps: &["tale", "talkative"],
    },
    Case {
        language: Language::English,
        term: "sanction",
        forms: &["the EU sanctioned them", "new sanctions", "sanctioning"],
        traps: &["sanctuary"],
    },
    Case {
        language: Language::English,
        term: "policy",
        forms: &["policies", "Policy"],
        traps: &["police", "political"],
    },
    Case {
        language: Language::English,
        term: "negotiate",
        forms: &["negotiated", "negotiating", "negotiates"],
        traps: &["negotiator"],
    },
    Case {
        language: Language::English,
        term: "stop",
        forms: &["stopped", "stopping", "stops"],
        traps: &["stoppage"],
    },
    Case {
        language: Language::English,
        term: "organ",
        forms: &["organs"],
        traps: &["organizations", "organization", "organic", "organise"],
    },
    Case {
        language: Language::English,
        term: "universe",
        forms: &["universes"],
        traps: &["university", "universities", "universal"],
    },
    Case {
        language: Language::English,
        term: "new",
        forms: &["new"],
        traps: &["news"],
    },
    Case {
        language: Language::Russian,
        term: "перемирие",
        forms: &[
            "о перемирии",
            "условия перемирия",
            "перемирием",
            "перемирию",
            "перемириями",
        ],
        traps: &["мирный"],
    },
    Case {
        language: Language::Russian,
        term: "Россия",
        forms: &["в России", "с Россией", "Россию"],
        traps: &["российский", "россиянин"],
    },
    Case {
        language: Language::Russian,
        term: "мир",
        forms: &["мира", "миру", "о мире", "миром"],
        traps: &["мировой", "мировая", "мирный"],
    },
    Case {
        language: Language::Russian,
        term: "переговоры",
        forms: &["переговоров", "на переговорах", "переговорами"],
        traps: &["переговорщик"],
    },
    Case {
        language: Language::Ukrainian,
        term: "Україна",
        forms: &["України", "в Україні", "Україною", "Україну"],
        traps: &["український", "українці"],
    },
    Case {
        language: Language::Ukrainian,
        term: "перемир'я",
        forms: &["перемир'ям", "перемир'ю"],
        traps: &["мирний"],
    },
    Case {
        language: Language::German,
        term: "Waffenstillstand",
        forms: &[
            "des Waffenstillstands",
            "Waffenstillstände",
            "den Waffenstillständen",
            "des Waffenstillstandes",
        ],
        traps: &["Waffe", "Stillstand"],
    },
    Case {
        language: Language::German,
        term: "Frieden",
        forms: &["des Friedens"],
        traps: &["friedlich", "Friedhof"],
    },
    Case {
        language: Language::German,
        term: "Verhandlung",
        forms: &["Verhandlungen"],
        traps: &["verhandeln", "Verhandlungsführer"],
    },
    Case {
        language: Language::French,
        term: "médiation",
        forms: &["les médiations", "la Médiation", "MEDIATIONS"],
        traps: &["médiatique", "médiateur"],
    },
    Case {
        language: Language::French,
        term: "national",
        forms: &["nationaux", "nationale", "nationales"],
        traps: &["nation", "nationalité"],
    },
    Case {
        language: Language::French,
        term: "libéré",
        forms: &["libérée", "libérés", "libérées"],
        traps: &["liberté"],
    },
    Case {
        language: Language::Spanish,
        term: "negociación",
        forms: &["las negociaciones", "la negociacion"],
        traps: &["negociador", "negocio"],
    },
    Case {
        language: Language::Spanish,
        term: "acuerdo",
        forms: &["los acuerdos"],
        traps: &["acuerdan"],
    },
    Case {
        language: Language::Spanish,
        term: "presidente",
        forms: &["presidentes", "la presidenta"],
        traps: &["presidencia"],
    },
    Case {
        language: Language::Italian,
        term: "negoziato",
        forms: &["i negoziati", "Negoziato"],
        traps: &["negoziatore", "negozio"],
    },
    Case {
        language: Language::Italian,
        term: "tregua",
        forms: &["le tregue"],
        traps: &["tregenda"],
    },
    Case {
        language: Language::Italian,
        term: "banca",
        forms: &["le banche"],
        traps: &["bancario"],
    },
    Case {
        language: Language::Portuguese,
        term: "negociação",
        forms: &["as negociações", "negociacao"],
        traps: &["negociador", "negócio"],
    },
    Case {
        language: Language::Portuguese,
        term: "nacional",
        forms: &["nacionais"],
        traps: &["nação"],
    },
    // Words of the news in each language, with plurals, cases and verbs.
    Case {
        language: Language::English,
        term: "election",
        forms: &["elections"],
        traps: &["elect", "electoral"],
    },
    Case {
        language: Language::English,
        term: "attack",
        forms: &["attacked", "attacking", "attacks"],
        traps: &["attacker"],
    },
    Case {
        language: Language::English,
        term: "crisis",
        forms: &["crises"],
        traps: &["crisp"],
    },
    Case {
        language: Language::English,
        term: "country",
        forms: &["countries"],
        traps: &["counter"],
    },
    Case {
        language: Language::English,
        term: "refugee",
        forms: &["refugees"],
        traps: &["refuge"],
    },
    Case {
        language: Language::English,
        term: "agree",
        forms: &["agreed", "agreeing", "agrees"],
        traps: &["agreement"],
    },
    Case {
        language: Language::English,
        term: "study",
        forms: &["studies", "studied", "studying"],
        traps: &["student", "studio"],
    },
    Case {
        language: Language::Russian,
        term: "санкция",
        forms: &["санкции", "санкций", "санкциями", "санкциях"],
        traps: &["санкционный"],
    },
    Case {
        language: Language::Russian,
        term: "Москва",
        forms: &["Москвы", "в Москве", "Москвой", "Москву"],
        traps: &["москвич"],
    },
    Case {
        language: Language::Russian,
        term: "Израиль",
        forms: &["Израиля", "Израилем", "Израилю"],
        traps: &["израильский"],
    },
    Case {
        language: Language::Russian,
        term: "выборы",
        forms: &["выборов", "на выборах", "выборам"],
        traps: &["выборный"],
    },
    Case {
        language: Language::Ukrainian,
        term: "переговори",
        forms: &["переговорів", "на переговорах", "переговорами"],
        traps: &["переговорник"],
    },
    Case {
        language: Language::German,
        term: "Sanktion",
        forms: &["Sanktionen"],
        traps: &["sanktionieren"],
    },
    Case {
        language: Language::German,
        term: "Land",
        forms: &["Länder", "Ländern", "des Landes"],
        traps: &["Landung", "ländlich"],
    },
    Case {
        language: Language::German,
        term: "Bündnis",
        forms: &["Bündnisse", "Bündnissen", "des Bündnisses"],
        traps: &["verbünden"],
    },
    Case {
        language: Language::German,
        term: "Angriff",
        forms: &["Angriffe", "Angriffen", "des Angriffs"],
        traps: &["angreifen"],
    },
    Case {
        language: Language::French,
        term: "élection",
        forms: &["élections"],
        traps: &["électeur", "électoral"],
    },
    Case {
        language: Language::French,
        term: "réfugié",
        forms: &["réfugiés", "réfugiée", "réfugiées"],
        traps: &["refuge"],
    },
    Case {
        language: Language::French,
        term: "gouvernement",
        forms: &["gouvernements"],
        traps: &["gouverner", "gouverneur"],
    },
    Case {
        language: Language::Spanish,
        term: "elección",
        forms: &["elecciones"],
        traps: &["elector", "electoral"],
    },
    Case {
        language: Language::Spanish,
        term: "país",
        forms: &["países"],
        traps: &["paisaje"],
    },
    Case {
        language: Language::Spanish,
        term: "ataque",
        forms: &["ataques"],
        traps: &["atacante"],
    },
    Case {
        language: Language::Spanish,
        term: "ciudad",
        forms: &["ciudades"],
        traps: &["ciudadano"],
    },
    Case {
        language: Language::Italian,
        term: "elezione",
        forms: &["elezioni"],
        traps: &["elettorale"],
    },
    Case {
        language: Language::Italian,
        term: "attacco",
        forms: &["attacchi"],
        traps: &["attaccante"],
    },
    Case {
        language: Language::Italian,
        term: "accordo",
        forms: &["accordi"],
        traps: &["accordare"],
    },
    Case {
        language: Language::Portuguese,
        term: "eleição",
        forms: &["eleições"],
        traps: &["eleitor", "eleitoral"],
    },
    Case {
        language: Language::Portuguese,
        term: "país",
        forms: &["países"],
        traps: &["paisagem"],
    },
    Case {
        language: Language::Portuguese,
        term: "mulher",
        forms: &["mulheres"],
        traps: &["mulherengo"],
    },
];

fn compiled(query: &str, exact: bool) -> RuleSet {
    let spec = RuleSpec {
        query: Query::parse(query).unwrap(),
        exact,
    };
    RuleSet::new(vec![spec]).unwrap()
}

fn body(text: &str, language: Option<Language>) -> ArticleText<'_> {
    ArticleText {
        body: text,
        language,
        ..Default::default()
    }
}

fn matches(set: &RuleSet, text: &str, language: Option<Language>) -> bool {
    !set.evaluate(&body(text, language)).is_empty()
}

#[test]
fn every_inflected_form_matches_in_its_language() {
    let mut missed = Vec::new();
    for case in CASES {
        let set = compiled(case.term, false);
        for form in case.forms {
            if !matches(&set, form, Some(case.language)) {
                missed.push(format!("{:?}: {} in {form:?}", case.language, case.term));
            }
        }
    }
    assert!(
        missed.is_empty(),
        "inflected forms not matched:\n{}",
        missed.join("\n")
    );
}

#[test]
fn no_derived_word_of_another_meaning_matches() {
    let mut wrong = Vec::new();
    for case in CASES {
        let set = compiled(case.term, false);
        for trap in case.traps {
            if matches(&set, trap, Some(case.language)) {
                wrong.push(format!("{:?}: {} in {trap:?}", case.language, case.term));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "derived words matched:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn phrases_and_near_match_inflected_forms_too() {
    let english = Some(Language::English);
    assert!(matches(
        &compiled("NEAR/3(peace, talk)", false),
        "they talked about peace",
        english
    ));
    assert!(matches(
        &compiled("\"peace talk\"", false),
        "Peace talks resumed",
        english
    ));
    let russian = Some(Language::Russian);
    assert!(matches(
        &compiled("\"условия перемирия\"", false),
        "об условиях перемирия",
        russian
    ));
}

#[test]
fn quoted_words_prefixes_and_exact_rules_stay_literal() {
    let english = Some(Language::English);
    assert!(!matches(
        &compiled("\"ceasefire\"", false),
        "Ceasefires collapse",
        english
    ));
    assert!(matches(
        &compiled("\"ceasefire\"", false),
        "A CEASEFIRE holds",
        english
    ));
    assert!(!matches(
        &compiled("ceasefire", true),
        "Ceasefires collapse",
        english
    ));
    assert!(!matches(
        &compiled("ceasefire", true),
        "a Ceasefire",
        english
    ));
    assert!(matches(
        &compiled("ceasefire", true),
        "a ceasefire",
        english
    ));
    // A prefix is the prefix, as before: no stem of it.
    assert!(matches(&compiled("mediat*", false), "mediation", english));
    assert!(!matches(&compiled("mediat*", false), "media", english));
}

#[test]
fn without_a_language_words_match_as_written() {
    let set = compiled("перемирие", false);
    assert!(!matches(&set, "о перемирии", None));
    assert!(matches(&set, "ПЕРЕМИРИЕ", None));
    // Scripts written without spaces are matched as before.
    let chinese = compiled("停火", false);
    assert!(matches(
        &chinese,
        "俄乌双方同意停火协议",
        Some(Language::English)
    ));
}

#[test]
fn a_hit_marks_the_inflected_form_and_says_which_it_was() {
    let set = compiled("ceasefire OR перемирие", false);
    let text = "Talks on Ceasefires stall";
    let found = set.evaluate(&body(text, Some(Language::English)));
    let m = &found[0];
    assert_eq!(&text[m.hits[0].start..m.hits[0].end], "Ceasefires");
    assert_eq!(m.described_terms(), ["ceasefire (as \"Ceasefires\")"]);
    let same = set.evaluate(&body("A CEASEFIRE", Some(Language::English)));
    assert_eq!(same[0].described_terms(), ["ceasefire"]);
    // A direction override inside the word is matched through, never shown.
    let hostile = set.evaluate(&body("Cease\u{202E}fires", Some(Language::English)));
    assert_eq!(
        hostile[0].described_terms(),
        ["ceasefire (as \"Ceasefires\")"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poll_matches_inflected_forms_and_the_mail_says_which() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let russian = [Item::new(
        "1",
        "Стороны договорились о перемирии",
        "Переговоры в Каире закончились соглашением.",
    )];
    let english = [Item::new(
        "2",
        "Ceasefires collapse across the region",
        "Fighting resumed on three fronts overnight, officials said on Monday, \
         after weeks of talks between the two governments had raised hopes.",
    )];
    for (route, items) in [("/ru.xml", &russian), ("/en.xml", &english)] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(rss_response(rss(&server.uri(), items)))
            .mount(&server)
            .await;
    }
    let env = Env::new();
    env.write_config(&format!(
        "{}{}language = \"ru\"\n{}{}",
        smtp.config(),
        feed_at("ru", &server, "/ru.xml"),
        feed_at("en", &server, "/en.xml"),
        rule("truce", "перемирие OR ceasefire", &["desk@example.org"]),
    ));

    env.poll(0).await;

    let mut bodies: Vec<String> = smtp
        .mails()
        .iter()
        .map(|m| m.parsed().body_text(0).unwrap().to_string())
        .collect();
    bodies.sort();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("ceasefire (as \"Ceasefires\")")),
        "{bodies:?}"
    );
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("перемирие (as \"перемирии\")")),
        "{bodies:?}"
    );
}
