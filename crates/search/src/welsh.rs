//! Welsh for the search: initial mutations, stop words, and what residents call the kinds of
//! help in Welsh. There is no Welsh stemmer in Snowball, tantivy or Pagefind; this follows
//! the approach of Welsh taggers (undo a mutation to its candidate radicals, keep the ones
//! the vocabulary has), with the index's own terms as the vocabulary: a listing's word is
//! indexed with its candidate radicals, and a typed word looks for itself and its
//! candidates, so "gymorth", "nghymorth" and "chymorth" all meet "cymorth".

/// The radicals a word may be a mutation of, most likely first: soft (c→g, p→b, t→d, g→,
/// b→f, d→dd, ll→l, m→f, rh→r), nasal (c→ngh, p→mh, t→nh, g→ng, b→m, d→n), aspirate
/// (c→ch, p→ph, t→th) and h- before a vowel. `word` is lower case and accent-folded. A word
/// may also be its own radical; that is the caller's to keep.
pub(crate) fn radicals(word: &str) -> Vec<String> {
    // Longest mutated beginnings first: "ngh" before "ng", "dd" before "d".
    const RULES: &[(&str, &[&str])] = &[
        ("ngh", &["c"]),
        ("mh", &["p"]),
        ("nh", &["t"]),
        ("ng", &["g"]),
        ("ch", &["c"]),
        ("ph", &["p"]),
        ("th", &["t"]),
        ("dd", &["d"]),
        ("rh", &[]),
        ("ll", &[]),
        ("g", &["c"]),
        ("b", &["p"]),
        ("d", &["t"]),
        ("f", &["b", "m"]),
        ("l", &["ll"]),
        ("r", &["rh"]),
        ("m", &["b"]),
        ("n", &["d"]),
    ];
    let mut out = Vec::new();
    if word.chars().count() < 3 || !word.is_ascii() {
        return out;
    }
    if let Some((start, radicals)) = RULES.iter().find(|(start, _)| word.starts_with(start)) {
        let rest = &word[start.len()..];
        out.extend(radicals.iter().map(|r| format!("{r}{rest}")));
    }
    let first = word.as_bytes()[0];
    if is_vowel(first) || matches!(first, b'l' | b'r') {
        // Soft mutation drops a g: "arddio" is "garddio", "wraig" is "gwraig", "lanhau"
        // is "glanhau".
        out.push(format!("g{word}"));
    } else if first == b'h' && word.len() > 3 && is_vowel(word.as_bytes()[1]) {
        // h- before a vowel: "ei hardal" is "ardal".
        out.push(word[1..].to_owned());
    }
    out
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'w' | b'y')
}

/// Welsh function words and what residents type around their real words ("Rydw i'n chwilio
/// am rywun i helpu gyda siopa"), accent-folded. `'r`, `'n` and `'m` split off as words.
pub(crate) const STOP_WORDS: &[&str] = &[
    "a", "ac", "ag", "am", "amdano", "angen", "ar", "at", "bod", "chwilio", "dan", "dros", "dy",
    "efo", "ei", "eich", "ein", "eisiau", "eu", "fy", "gan", "ger", "gyda", "hefyd", "i", "m",
    "mae", "mewn", "mi", "n", "neu", "o", "oes", "ond", "os", "pan", "r", "rwy", "rwyf", "rydw",
    "rydym", "sy", "sydd", "th", "wrth", "y", "ydw", "ydy", "ydyw", "ym", "yn", "yng", "yr", "yw",
];

/// Welsh words that say nothing about the help wanted: who is asking, for whom.
pub(crate) const FILLER: &[&str] = &[
    "rhywun",
    "rywun",
    "rhywbeth",
    "person",
    "mam",
    "fam",
    "nhad",
    "dad",
    "tad",
    "gwr",
    "wr",
    "gwraig",
    "wraig",
    "ffrind",
    "cymydog",
    "lleol",
    "agos",
    "helpu",
    "help",
    "cymorth",
    "gofal",
    "gwasanaeth",
    "gwasanaethau",
    "os",
    "gwelwch",
    "dda",
    "byw",
    "plis",
    "nain",
    "mamgu",
    "taid",
    "tadcu",
    "merch",
    "mab",
    "partner",
];

/// Welsh phrases that mean "taking new clients".
pub(crate) const OPEN: &[&[&str]] = &[
    &["derbyn", "cleientiaid", "newydd"],
    &["cleientiaid", "newydd"],
    &["lle", "ar", "gael"],
    &["lleoedd", "ar", "gael"],
    &["ar", "gael", "nawr"],
    &["lle"],
    &["lleoedd"],
];

/// Welsh days ("dydd Llun", or "ddydd Llun" after a mutation) and the weekend.
pub(crate) const DAYS: &[(&[&str], &[&str])] = &[
    (&["dydd", "llun"], &["mon"]),
    (&["dydd", "mawrth"], &["tue"]),
    (&["dydd", "mercher"], &["wed"]),
    (&["dydd", "iau"], &["thu"]),
    (&["dydd", "gwener"], &["fri"]),
    (&["dydd", "sadwrn"], &["sat"]),
    (&["dydd", "sul"], &["sun"]),
    (&["ddydd", "llun"], &["mon"]),
    (&["ddydd", "mawrth"], &["tue"]),
    (&["ddydd", "mercher"], &["wed"]),
    (&["ddydd", "iau"], &["thu"]),
    (&["ddydd", "gwener"], &["fri"]),
    (&["ddydd", "sadwrn"], &["sat"]),
    (&["ddydd", "sul"], &["sun"]),
    (&["penwythnos"], &["sat", "sun"]),
    (&["benwythnos"], &["sat", "sun"]),
];

/// What Welsh speakers call the content contract's kinds of help and groups of people,
/// each group led by the English name it means (as the index labels it). Words are as
/// people write them; the analyzer folds accents and undoes mutations.
pub(crate) const SYNONYMS: &[&[&str]] = &[
    &[
        "companionship",
        "cwmnïaeth",
        "cwmni",
        "cyfeillio",
        "cyfaill",
        "ymweliadau",
        "unigrwydd",
    ],
    &[
        "home help",
        "help yn y cartref",
        "help yn y tŷ",
        "cymorth yn y cartref",
        "cymorth yn y tŷ",
        "gwaith tŷ",
        "glanhau",
        "glanhawr",
    ],
    &["personal care", "gofal personol", "ymolchi", "gwisgo"],
    &["meals", "prydau bwyd", "prydau", "bwyd", "coginio"],
    &[
        "shopping errands",
        "siopa a negeseuon",
        "siopa",
        "negeseuon",
    ],
    &[
        "day opportunities",
        "cyfleoedd dydd",
        "canolfan ddydd",
        "clwb dydd",
    ],
    &[
        "activities hobbies",
        "gweithgareddau a diddordebau",
        "gweithgareddau",
        "diddordebau",
    ],
    &[
        "short breaks",
        "seibiannau byr",
        "seibiant",
        "gofal seibiant",
    ],
    &["sitting service", "gwasanaeth eistedd", "eistedd"],
    &[
        "transport escort",
        "cludiant a hebrwng",
        "cludiant",
        "trafnidiaeth",
        "lifft",
        "gyrrwr",
        "hebrwng",
    ],
    &["gardening", "garddio", "gardd", "garddwr"],
    &["handyperson", "tasgmon", "trwsio", "atgyweirio"],
    &[
        "pet care",
        "gofal anifeiliaid anwes",
        "anifeiliaid anwes",
        "ci",
        "cŵn",
        "cath",
    ],
    &[
        "wellbeing therapies",
        "therapïau llesiant",
        "llesiant",
        "tylino",
        "adweitheg",
    ],
    &["life skills", "sgiliau bywyd"],
    &[
        "work support",
        "cymorth gyda gwaith a gwirfoddoli",
        "gwaith",
        "gwirfoddoli",
    ],
    &["carer support", "cymorth i ofalwyr"],
    &["older people", "pobl hŷn", "henoed", "oedrannus"],
    &["dementia", "dementia", "colli cof", "cof"],
    &["learning disability", "anabledd dysgu", "anableddau dysgu"],
    &["autism", "awtistiaeth", "awtistig"],
    &["physical disability", "anabledd corfforol", "cadair olwyn"],
    &[
        "sensory impairment",
        "colli golwg",
        "colli clyw",
        "nam ar y golwg",
        "nam ar y clyw",
        "dall",
        "byddar",
    ],
    &["mental health", "iechyd meddwl"],
    &[
        "long term condition",
        "cyflwr iechyd hirdymor",
        "cyflwr hirdymor",
    ],
    &["carers", "gofalwyr", "gofalwr"],
    &["end of life", "diwedd oes", "gofal lliniarol"],
    &[
        "direct payment",
        "taliadau uniongyrchol",
        "taliad uniongyrchol",
    ],
    &["self funded", "talu fy hun", "hunan-ariannu"],
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mutation_leads_back_to_its_radical() {
        for (mutated, radical) in [
            ("gymorth", "cymorth"),
            ("nghymorth", "cymorth"),
            ("chymorth", "cymorth"),
            ("bobl", "pobl"),
            ("mhobl", "pobl"),
            ("phobl", "pobl"),
            ("dre", "tre"),
            ("nhre", "tre"),
            ("thre", "tre"),
            ("arddio", "garddio"),
            ("ngarddio", "garddio"),
            ("fara", "bara"),
            ("fam", "mam"),
            ("ddysgu", "dysgu"),
            ("lanhau", "glanhau"),
            ("law", "llaw"),
            ("hardal", "ardal"),
        ] {
            assert!(
                radicals(mutated).contains(&radical.to_owned()),
                "{mutated} -> {radical}: {:?}",
                radicals(mutated)
            );
        }
    }

    #[test]
    fn a_radical_offers_nothing_it_cannot_be() {
        assert!(radicals("cymorth").is_empty());
        assert!(radicals("pobl").is_empty());
        assert!(radicals("ll").is_empty());
    }
}
