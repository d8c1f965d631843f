//! Near-duplicate sketches: what recognises a story re-published under
//! another URL, with another headline, a dateline, cuts and edits.
//!
//! An entry's title and text become the hashes of their three-word
//! shingles, a MinHash signature of those, and the signature's LSH band
//! keys. The store keeps all three for the story window; a new entry's
//! bands find the earlier entries it may copy (an index lookup, not a scan),
//! and the share of its shingles that such an entry holds decides whether
//! it joins that entry's story. Pure: no clock, database or network.

mod minhash;
mod shingles;

pub use minhash::{BANDS, HASHES, ROWS, agreement, bands, signature};
pub use shingles::{MAX_WORDS, SHINGLE, shingles};

use crate::model::Sketch;

/// Fewer distinct shingles than this (a headline and a line of summary)
/// and an entry gets no sketch: short texts share too much by chance, and
/// a false merge loses an alert.
pub const MIN_SHINGLES: usize = 30;

/// The default share of a new entry's shingles that an earlier entry must
/// hold for the two to be one story (`[daemon] story_similarity`), chosen
/// with `bench/stories.py`.
pub const DEFAULT_SIMILARITY: f64 = 0.65;

/// The sketch of an entry with `title` and `text`; None when the text is
/// too short to be recognised safely.
pub fn sketch(title: &str, text: &str) -> Option<Sketch> {
    let shingles = shingles(&[title, text]);
    if shingles.len() < MIN_SHINGLES {
        return None;
    }
    let minhash = signature(&shingles);
    Some(Sketch {
        bands: bands(&minhash),
        minhash,
        shingles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "Negotiators from both sides met in Doha on Tuesday and agreed \
        to a ceasefire that will take effect at midnight, officials said. The agreement \
        follows weeks of talks mediated by Qatar and Egypt, and includes the exchange of \
        prisoners and the opening of two crossings for aid convoys. Aid groups welcomed \
        the deal but warned that the humanitarian situation remained dire.";

    #[test]
    fn a_wire_copy_with_a_dateline_and_another_headline_is_almost_wholly_in_the_original() {
        let original = sketch("Ceasefire agreed in Doha talks", STORY).unwrap();
        let copy = sketch(
            "Warring sides agree truce",
            &format!("DOHA (Reuters) - {STORY}"),
        )
        .unwrap();
        let share = copy.share_in(&original.shingles);
        assert!(share > 0.85, "{share}");
        assert!(copy.bands.iter().any(|b| original.bands.contains(b)));
    }

    #[test]
    fn another_article_on_the_same_event_shares_little() {
        let original = sketch("Ceasefire agreed in Doha talks", STORY).unwrap();
        let other = sketch(
            "Truce to begin at midnight",
            "A ceasefire brokered by Qatar and Egypt is due to begin at midnight, \
             after negotiators meeting in Doha reached agreement on Tuesday. Under the \
             deal, prisoners will be exchanged and aid convoys will be allowed through \
             two crossings. Humanitarian organisations said the situation on the ground \
             was still dire and urged both sides to keep their word.",
        )
        .unwrap();
        let share = other.share_in(&original.shingles);
        assert!(share < 0.2, "{share}");
    }

    #[test]
    fn russian_and_chinese_copies_are_recognised() {
        let russian = "Стороны конфликта договорились о перемирии после переговоров в Дохе, \
            которые продолжались несколько недель при посредничестве Катара и Египта. \
            Соглашение предусматривает обмен пленными и открытие двух пунктов пропуска \
            для гуманитарных конвоев, сообщили официальные лица во вторник вечером.";
        let original = sketch("Перемирие в Дохе", russian).unwrap();
        let copy = sketch(
            "Стороны договорились о перемирии",
            &format!("ДОХА, 3 дек — {russian}"),
        )
        .unwrap();
        let share = copy.share_in(&original.shingles);
        // A short text: the new headline and dateline are a fifth of it.
        assert!(share > 0.75, "{share}");

        let chinese = "双方代表周二在多哈举行会谈后宣布停火协议将于午夜生效。\
            该协议由卡塔尔和埃及斡旋达成，内容包括交换被扣押人员以及开放两个口岸供援助车队通行。";
        let original = sketch("多哈会谈达成停火", chinese).unwrap();
        let copy = sketch("停火协议午夜生效", &format!("新华社多哈电 {chinese}")).unwrap();
        let share = copy.share_in(&original.shingles);
        assert!(share > 0.75, "{share}");
        let other = sketch(
            "援助车队",
            "联合国官员表示，援助车队已经在边境等待多日，希望尽快进入灾区分发食品和药品，\
             当地医院缺少燃料和电力，情况十分严峻。",
        )
        .unwrap();
        assert!(other.share_in(&original.shingles) < 0.2);
    }

    #[test]
    fn a_headline_and_a_line_of_summary_get_no_sketch() {
        assert_eq!(
            sketch("Ceasefire agreed", "Talks in Doha ended on Tuesday."),
            None
        );
    }
}
