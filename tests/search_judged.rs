//! Search judged as residents would: sentences, typos, postcodes, towns that are ordinary
//! words, conditions and needs nobody offers, on the bundled demo content. Each query names
//! the listings a good first answer could be, or says that nobody should be presented as a
//! match. The test prints the first-result precision and fails on any query that misses.

mod common;
use common::*;
use serde_json::Value;

/// What a good answer to a query is.
enum Judged {
    /// The first result is one of these listings.
    First(&'static [&'static str]),
    /// Nobody meets the need here: nothing is presented as a match.
    Nobody,
}
use Judged::*;

const QUERIES: &[(&str, &str, Judged)] = &[
    // From the issue: what residents typed, and what a good answer is.
    (
        "westmoor",
        "someone to help my mum with shopping in Williton",
        Nobody,
    ),
    ("westmoor", "shopping Williton", Nobody),
    (
        "westmoor",
        "dementia day club",
        First(&["sing-and-remember"]),
    ),
    (
        "westmoor",
        "a cleaner in Bridgwater who takes direct payments",
        First(&["spick-and-span-bridgwater", "willow-care-bridgwater"]),
    ),
    (
        "westmoor",
        "someone to take me to hospital",
        First(&["parrett-wheels", "levels-and-mendip-transport"]),
    ),
    (
        "westmoor",
        "gardner",
        First(&["brendon-hills-garden-help", "blackdown-handyperson"]),
    ),
    ("westmoor", "chiropodist", Nobody),
    ("westmoor", "memory cafe", Nobody),
    (
        "westmoor",
        "sitter",
        First(&[
            "rest-awhile-sitting-service",
            "barle-valley-breaks",
            "quiet-hours-companions",
        ]),
    ),
    // Kinds of help in a place, as residents say them.
    (
        "westmoor",
        "gardening in Williton",
        First(&["brendon-hills-garden-help"]),
    ),
    (
        "westmoor",
        "gardener TA4 2PQ",
        First(&["brendon-hills-garden-help"]),
    ),
    (
        "westmoor",
        "handyman Wellington",
        First(&["blackdown-handyperson"]),
    ),
    (
        "westmoor",
        "hot meals Minehead",
        First(&["coast-kitchen-meals"]),
    ),
    (
        "westmoor",
        "dog walking Watchet",
        First(&["watchet-walkies"]),
    ),
    (
        "westmoor",
        "pet care in Taunton",
        First(&["four-paws-pet-care"]),
    ),
    (
        "westmoor",
        "lifts to appointments in Bridgwater",
        First(&["parrett-wheels", "levels-and-mendip-transport"]),
    ),
    (
        "westmoor",
        "personal care Taunton",
        First(&["steady-hands-home-care"]),
    ),
    (
        "westmoor",
        "washing and dressing for my dad in Bridgwater",
        First(&["willow-care-bridgwater"]),
    ),
    (
        "westmoor",
        "respite for carers in Taunton",
        First(&["rest-awhile-sitting-service"]),
    ),
    (
        "westmoor",
        "befriending Taunton",
        First(&["tone-vale-companions", "read-aloud-taunton"]),
    ),
    (
        "westmoor",
        "my mum is lonely in Wellington",
        First(&["read-aloud-taunton", "rest-awhile-sitting-service"]),
    ),
    (
        "westmoor",
        "work coaching for my autistic son",
        First(&["next-steps-skills-coaching", "ready-for-work-mentoring"]),
    ),
    (
        "westmoor",
        "learning disability day centre",
        First(&["quayside-craft-club", "hollybrook-farm-day-club"]),
    ),
    (
        "westmoor",
        "end of life care in Bridgwater",
        First(&["willow-care-bridgwater", "quiet-hours-companions"]),
    ),
    (
        "westmoor",
        "hedge trimming Watchet",
        First(&["brendon-hills-garden-help"]),
    ),
    (
        "westmoor",
        "reflexology",
        First(&["gentle-feet-reflexology"]),
    ),
    (
        "westmoor",
        "gardning",
        First(&["brendon-hills-garden-help", "blackdown-handyperson"]),
    ),
    // Conditions: taking new clients, payments.
    (
        "westmoor",
        "taking new clients dementia Minehead",
        First(&["sing-and-remember"]),
    ),
    (
        "westmoor",
        "sitting service in Taunton who takes direct payments",
        First(&["rest-awhile-sitting-service"]),
    ),
    // Nobody here: the honest answer.
    ("westmoor", "shopping and errands in Dulverton", Nobody),
    ("westmoor", "meals in Williton", Nobody),
    ("westmoor", "personal care in Watchet", Nobody),
    ("westmoor", "podiatry", Nobody),
    ("eastbrook", "lunch club in Shepton Mallet", Nobody),
    ("eastbrook", "pet care in Radstock", Nobody),
    // The other council, towns that are ordinary words.
    (
        "eastbrook",
        "handyman in Street",
        First(&["street-handy-help"]),
    ),
    (
        "eastbrook",
        "a cleaner in Frome",
        First(&["selwood-home-help"]),
    ),
    (
        "eastbrook",
        "someone to visit my gran in Frome",
        First(&["frome-friendly-visits"]),
    ),
    (
        "eastbrook",
        "meals Shepton Mallet",
        First(&["mendip-table"]),
    ),
    ("eastbrook", "pet sitting Wells", First(&["wells-pet-pals"])),
    (
        "eastbrook",
        "garden help Radstock",
        First(&["radstock-garden-friend"]),
    ),
    (
        "eastbrook",
        "barber",
        First(&["cathedral-city-mobile-barber"]),
    ),
    ("eastbrook", "blind", First(&["sight-and-sound-support"])),
    (
        "eastbrook",
        "carers group Frome",
        First(&["frome-carers-together"]),
    ),
    (
        "eastbrook",
        "day opportunities for autism",
        First(&["avalon-art-studio-days"]),
    ),
    (
        "eastbrook",
        "BA11 gardening",
        First(&["radstock-garden-friend"]),
    ),
    // Glanyrafon's Welsh pages, as Welsh speakers type: mutated words ("ym Mrynbuga",
    // "chwmni"), either name of a town, accents left off, English on the Welsh pages.
    (
        "glanyrafon",
        "rhywun i helpu mam gyda siopa yng Nghas-gwent",
        First(&["chepstow-shopping-friends"]),
    ),
    ("glanyrafon", "siopa yn Nhrefynwy", Nobody),
    (
        "glanyrafon",
        "garddwr ym Mrynbuga",
        First(&["usk-valley-gardens"]),
    ),
    (
        "glanyrafon",
        "help i arddio yn Nhrefynwy",
        First(&["usk-valley-gardens"]),
    ),
    (
        "glanyrafon",
        "glanhawr Trefynwy",
        First(&["monmouth-home-help"]),
    ),
    (
        "glanyrafon",
        "gofal personol yn Y Fenni",
        First(&["gofal-gwyn-personal-care"]),
    ),
    (
        "glanyrafon",
        "ymolchi a gwisgo i nhad",
        First(&["gofal-gwyn-personal-care"]),
    ),
    (
        "glanyrafon",
        "chwmni i mam sy'n byw gyda dementia",
        First(&["cwmni-da-y-fenni"]),
    ),
    (
        "glanyrafon",
        "pobl hyn Brynbuga",
        First(&["usk-valley-gardens", "gofal-gwyn-personal-care"]),
    ),
    ("glanyrafon", "garddio yn Y Fenni", Nobody),
    (
        "glanyrafon",
        "garddio dydd Sadwrn",
        First(&["usk-valley-gardens"]),
    ),
    (
        "glanyrafon",
        "gofal personol taliadau uniongyrchol",
        First(&["gofal-gwyn-personal-care"]),
    ),
    (
        "glanyrafon",
        "NP16 siopa",
        First(&["chepstow-shopping-friends"]),
    ),
    (
        "glanyrafon",
        "nghymorth gyda siopa yn Abergavenny",
        First(&["cwmni-da-y-fenni"]),
    ),
    (
        "glanyrafon",
        "gardening in Usk",
        First(&["usk-valley-gardens"]),
    ),
    (
        "glanyrafon",
        "cleaner Monmouth",
        First(&["monmouth-home-help"]),
    ),
    // "Cymorth" (help, support) is how many Welsh speakers ask for help at home.
    ("glanyrafon", "cymorth yn y cartref yng Nghas-gwent", Nobody),
    // A kind of help nobody in the county offers yet is still read as one.
    ("glanyrafon", "rhywun i fynd â'r ci am dro", Nobody),
    ("glanyrafon", "dog walker", Nobody),
];

/// Queries not answered well yet, each with why; they are reported, not failed, so the
/// figure stays honest. Empty when every query is answered.
const KNOWN_MISSES: &[&str] = &[];

#[test]
fn first_results_are_right_for_residents_queries() {
    let (dir, content) = built_demo();
    let output = dir.path().join("output");
    let mut right = 0;
    let mut wrong = Vec::new();
    for (council, text, judged) in QUERIES {
        let mut args = vec!["search", "--council", council, "--json"];
        args.extend(text.split_whitespace());
        let out = run(&args, &[("--output", &output), ("--content", &content)]);
        assert!(out.status.success(), "{text}: {}", stderr(&out));
        let json: Value = serde_json::from_slice(&out.stdout).expect("json");
        let first = json["hits"][0]["slug"].as_str().map(str::to_owned);
        let exact = json["exact"].as_u64().unwrap_or(0);
        let ok = match judged {
            First(good) => exact > 0 && first.as_deref().is_some_and(|f| good.contains(&f)),
            Nobody => exact == 0 && first.is_none(),
        };
        if ok {
            right += 1;
        } else {
            wrong.push(format!(
                "{council}: {text:?} gave {first:?} ({exact} exact)"
            ));
        }
    }
    let precision = right as f64 / QUERIES.len() as f64;
    println!(
        "first-result precision: {right}/{} = {:.1}%",
        QUERIES.len(),
        precision * 100.0
    );
    let regressions: Vec<&String> = wrong
        .iter()
        .filter(|w| !KNOWN_MISSES.iter().any(|k| w.contains(k)))
        .collect();
    assert!(regressions.is_empty(), "{regressions:#?}");
}
