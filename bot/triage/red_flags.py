"""Red flags: what residents write when someone needs 999 now.

From sections 1, 2, 6 and 7 of the clinical guidance (../shared/clinical-guidance.md). Each
flag has phrase patterns in a small notation compiled to spaCy Matcher patterns on token NORM
(lower case, contractions expanded: "can't" and "cant" are "can not"):

    word        that word               a|b|c     any of these words
    ?word       optional word           *         any one token, optional
    @NAME       a word list below       ?@NAME    optional word from a list

A clinician reviews changes here; each change needs a line in docs/clinical-safety.md and the
red-flag test set (tests/data/red_flags.yml) must stay at 100%.
"""
from __future__ import annotations

WORDS: dict[str, list[str]] = {
    "WHOSE": ["my", "his", "her", "their", "the", "our", "your", "a", "me"],
    "NOT": ["not", "unable", "cannot", "cnt", "cant", "carnt", "caint", "dosnt", "doesnt", "dont", "wont", "cudnt", "couldnt", "isnt", "hasnt"],
    "BREATHE": ["breathe", "breath", "breathing", "breth", "breathin", "breate", "brethe", "breething",
                "breathe", "breaths", "breating"],
    "CHEST": ["chest", "chests", "chestt", "chst", "cheast"],
    "PAIN": ["pain", "pains", "pian", "pane", "ache", "aching", "hurts", "hurting", "hurt", "tightness", "tight",
             "pressure", "heaviness", "heavy", "squeezing", "crushing", "sore", "vice", "tightening", "squeezed", "crushed"],
    "WAKE": ["wake", "waking", "woken", "wakeup", "respond", "responding", "rouse"],
    "FACE": ["face", "mouth", "smile"],
    "DROOP": ["drooping", "droopy", "dropped", "drooped", "droop", "dropping", "fallen", "slipped", "lopsided", "sagging"],
    "SPEECH": ["speech", "talking", "words", "speaking", "speach", "voice"],
    "SLURRED": ["slurred", "slurring", "slured", "slurrd", "garbled", "jumbled", "slurry", "slurrs"],
    "BLEED": ["bleeding", "bleed", "bleding", "bleedin", "blood", "bloods", "bled"],
    "LOTS": ["heavily", "heavy", "loads", "lots", "alot", "lot", "badly", "everywhere", "pouring", "spurting",
             "gushing", "spraying", "pumping"],
    "STOP": ["stop", "stopping", "stopped", "stops"],
    "SWOLLEN": ["swollen", "swelling", "swolen", "swolled", "swelled", "swell", "swells", "puffy", "puffed", "puffing",
                "blown", "ballooning"],
    "AIRWAY": ["lips", "lip", "tongue", "throat", "mouth"],
    "SEIZURE": ["seizure", "seizures", "siezure", "seizing", "siezing", "fitting", "convulsing", "convulsions",
                "convulsion", "seisure", "fiting", "ceizure", "seazure", "seazures", "fitt", "fitts", "sezure", "siezures", "seizer", "fitting"],
    "SWALLOWED": ["swallowed", "swallowd", "swalloed", "ate", "eaten", "drank", "drunk", "drink", "swallow",
                  "swollowed", "swolled"],
    "DANGEROUS_THING": ["battery", "batteries", "magnet", "magnets", "bleach", "poison", "detergent",
                        "tablets", "pills", "medicine", "medicines", "paracetamol", "capsule", "capsules",
                        "antifreeze", "washing", "dishwasher", "cleaner", "weedkiller", "calpol", "warfarin", "pellets", "e-liquid", "vape", "co-codamol", "codeine", "sertraline", "ibuprofen", "tramadol", "citalopram", "diazepam", "morphine"],
    "OD": ["overdose", "overdosed", "od", "o.d", "overdosing", "od'd", "overdoes", "overdosd"],
    "KILL_SELF": ["myself", "himself", "herself", "themselves", "themself"],
    "BLUE": ["blue", "grey", "gray", "blotchy", "mottled", "purple", "bluish", "blueish", "greyish", "bluey", "bluish", "blue-grey", "blue-ish"],
    "SKIN": ["skin", "lips", "tongue", "face"],
    "RASH": ["rash", "spots", "rashes", "blotches"],
    "FADE": ["fade", "fading", "disappear", "go", "blanch", "blanching", "vanish"],
    "GLASS": ["glass", "tumbler", "pressed", "press", "pressing"],
    "CHILD": ["baby", "babies", "newborn", "infant", "toddler", "child", "kid", "son", "daughter", "boy",
              "girl", "little", "one", "lo", "bubba", "babys"],
    "FLOPPY": ["floppy", "limp", "lifeless", "flopping", "flopped"],
    "LABOUR": ["labour", "labor", "contractions"],
    "HEAD": ["head", "skull"],
    "KNOCKED": ["knocked", "passed", "blacked", "unconscious", "unconcious", "unconsious", "unconscius", "nocked"],
    "ACCIDENT": ["crash", "accident", "collision", "crashed", "stabbed", "stabbing", "shot", "attacked",
                 "assaulted", "beaten", "run", "hit"],
    "PERSON": ["he", "she", "they", "mum", "dad", "nan", "nana", "gran", "granny", "grandad", "grandma",
               "grandpa", "husband", "wife", "partner", "son", "daughter", "baby", "child", "mother", "father",
               "mom", "brother", "sister", "friend", "neighbour", "hubby"],
    "JAW": ["jaw", "face", "cheek", "gum", "gums", "tooth", "teeth", "mouth"],
}

RED_FLAGS: dict[str, list[str]] = {
    "chest_pain": [
        "in a vice", "left arm * numb", "left arm * * numb", "arm * gone numb", "arm has gone numb",
        "@CHEST @PAIN", "@PAIN in ?@WHOSE @CHEST", "@PAIN across ?@WHOSE @CHEST", "@CHEST is @PAIN",
        "@CHEST feels @PAIN", "@CHEST feels * @PAIN", "@CHEST @PAIN", "heart attack", "heart atack", "heartattack",
        "@PAIN * @CHEST", "@CHEST * * @PAIN", "elephant on ?@WHOSE @CHEST", "@CHEST and left arm",
        "@CHEST going down ?@WHOSE arm",
        "sat on * @CHEST", "sitting on * @CHEST", "@PAIN in * middle of * @CHEST", "@CHEST * * * @PAIN", "@CHEST * * * * @PAIN", "@PAIN * * * @CHEST",
    ],
    "stroke": [
        "@FACE @DROOP", "@FACE has @DROOP", "@FACE * @DROOP", "@FACE is @DROOP", "@DROOP @FACE",
        "@SPEECH is @SLURRED", "@SLURRED @SPEECH", "@SLURRED", "stroke", "strok", "mini stroke",
        "@NOT lift * arms", "@NOT lift * arm", "@NOT raise * arms", "@NOT raise * arm", "@NOT lift both",
        "@NOT hold * arms up", "@NOT speak properly", "@NOT get * words out", "@NOT talk properly",
        "one side of * @FACE", "one side of * body", "side of * @FACE * @DROOP", "arm * gone weak",
        "arm went weak", "@NOT move * arm", "@NOT move * leg", "@NOT feel * arm", "lost * speech",
        "@SPEECH * @SLURRED", "numb down one side", "weak down one side", "gone weak down one side",
        "@FACE * * @DROOP", "@FACE * * * @DROOP", "@SPEECH * * funny", "@SPEECH * gone funny", "@SPEECH * * * wrong", "@SPEECH * * wrong", "@SPEECH * * * @SLURRED", "@NOT hold * arm|arms up", "@NOT hold * arm|arms * up", "arm * gone dead", "arm has gone dead", "arm * * dead", "arm * flopped", "@NOT understand * she|he * said", "@NOT understand a thing",
    ],
    "unconscious_or_confused": [
        "@NOT @WAKE", "@NOT @WAKE * up", "will not @WAKE", "wo not @WAKE", "@NOT be woken", "@NOT be @WAKE",
        "unconscious", "unconcious", "unconsious", "unconscius", "unconsciuos", "uncouncious", "unresponsive",
        "unresponcive", "not responding", "passed out and", "collapsed", "colapsed", "collapse", "keeled over",
        "suddenly confused", "sudden confusion", "gone confused", "confused all of a sudden",
        "@PERSON is confused", "@PERSON is * confused", "@PERSON s confused", "@PERSON s * confused",
        "@PERSON 's confused", "@PERSON 's * confused", "@PERSON seems confused", "@PERSON very confused",
        "@NOT know * own name", "@NOT remember * own name", "@NOT know what year", "@NOT know how old",
        "out cold", "@NOT stay awake", "blacked out",
        "@NOT come round", "not come round", "has not come round", "fainted and", "@NOT tell * * how old", "@NOT tell * how old", "asking who he|she|they * is", "asking who he|she|they is", "suddenly * confused", "suddenly * * confused", "talking nonsense", "talking gibberish", "not making sense", "@NOT know where he|she|they * is", "@NOT know where he|she|they is", "@NOT know what day", "totally confused", "suddenly muddled", "muddled and confused",
    ],
    "suicide_or_overdose": [
        "@OD", "taken * overdose", "taken an od", "took * overdose", "took all * @DANGEROUS_THING",
        "taken all * @DANGEROUS_THING", "took too many", "taken too many", "took loads of", "taken loads of",
        "took a load of", "swallowed all * @DANGEROUS_THING", "kill @KILL_SELF", "killing @KILL_SELF",
        "end * life", "ending * life", "end it all", "suicide attempt", "attempted suicide", "tried suicide",
        "tried to kill", "trying to kill", "tried to end", "@NOT keep @KILL_SELF safe", "@NOT keep * safe",
        "going to jump", "gonna jump", "jump off", "hang @KILL_SELF", "hanging @KILL_SELF", "hanged",
        "cut * wrists", "slit * wrists", "cut @KILL_SELF badly", "cut @KILL_SELF deep", "self harm * deep",
        "self harmed * badly", "cut * deep * bleeding", "suicidal and", "about to kill", "kil @KILL_SELF",
        "take * own life", "taking * own life", "suicde attempt", "sucide attempt", "take all * @DANGEROUS_THING",
        "whole box|packet|strip|bottle|pack|tub", "necked", "going to end it", "gon na end it", "want to end it", "got a knife", "has a knife", "suicidal * now", "suicidal right now", "everything ready", "cut @KILL_SELF * deep", "cut @KILL_SELF * * deep",
    ],
    "breathing": [
        "@NOT @BREATHE", "@NOT * @BREATHE", "stopped @BREATHE", "struggling to @BREATHE", "struggling * @BREATHE",
        "fighting for @BREATHE", "gasping", "gasp", "choking", "choked", "chocking", "choke", "cant breath",
        "hard to @BREATHE", "difficulty @BREATHE", "trouble @BREATHE", "@BREATHE really fast", "@BREATHE very fast",
        "gasping for air", "@NOT get * @BREATHE", "@NOT catch * @BREATHE", "@NOT get air", "turning blue",
        "gone blue", "going blue", "lips * blue", "@NOT get * words out", "something stuck in * throat",
        "stuck in * throat", "breathless and", "@BREATHE is really bad", "@BREATHE so fast",
        "asthma attack", "inhaler * not working", "inhaler * not helping", "inhaler is not helping", "inhaler * * not helping", "inhaler not working",
    ],
    "heavy_bleeding": [
        "@BLEED @LOTS", "@BLEED * @LOTS", "@LOTS of @BLEED", "@LOTS @BLEED", "@BLEED will not @STOP",
        "@BLEED wo not @STOP", "@BLEED @NOT @STOP", "@BLEED * @NOT @STOP", "@NOT @STOP * @BLEED",
        "@NOT @STOP the @BLEED", "pool of @BLEED", "puddle of @BLEED", "@BLEED everywhere", "losing * @BLEED",
        "lost * lot of @BLEED", "@BLEED is pouring", "@BLEED pouring", "@BLEED spurting", "@BLEED gushing",
        "soaked in @BLEED", "soaking through", "@BLEED through", "haemorrhage", "hemorrhage", "haemorrhaging",
        "@BLEED out", "@BLEED * out",
        "soaked through", "nosebleed * * hour", "nose bleed * * hour", "not slowing down", "@BLEED keeps coming", "@BLEED * keeps coming", "keeps @BLEED", "@BLEED non stop", "@BLEED nonstop", "@BLEED for hours", "@BLEED * for hours",
    ],
    "serious_injury": [
        "knocked out", "knocked unconscious", "@KNOCKED out", "hit * @HEAD and * @KNOCKED",
        "@HEAD injury and * vomiting", "@HEAD injury * sick", "hit * @HEAD * sick", "hit * @HEAD * vomiting",
        "banged * @HEAD * sick", "banged * @HEAD * vomiting", "@HEAD * double vision", "double vision",
        "seeing double", "car @ACCIDENT", "road @ACCIDENT", "motorbike @ACCIDENT", "hit by a car", "hit by car",
        "run over", "knocked down by", "@ACCIDENT * badly hurt", "serious accident", "bad accident",
        "fell from", "fallen from", "fell off * roof", "fell off * ladder", "fell down * stairs * @NOT move",
        "stabbed", "been stabbed", "stab wound", "been shot", "got shot", "gunshot", "been attacked", "beaten up", "bone sticking out",
        "bone is sticking out", "bone poking out", "@HEAD * @BLEED @LOTS", "fractured skull",
        "@NOT feel * legs", "@NOT move * legs", "neck injury", "broken neck", "broken back", "crushed",
        "@HEAD injury * @KNOCKED", "@HEAD * @KNOCKED", "hit * @HEAD * drowsy", "@HEAD * @NOT @WAKE",
        "two of everything", "seeing two", "knocked @KILL_SELF out", "nocked out",
    ],
    "seizure": [
        "@SEIZURE", "having a fit", "had a fit", "has had a fit", "having fits", "first fit", "a fit",
        "shaking and * @NOT @WAKE", "jerking", "fitting", "convulsing", "epileptic fit",
        "eyes rolling", "eyes rolled", "shaking uncontrollably", "shaking all over and", "febrile convulsion",
        "febrile seizure",
        "eyes * rolled", "eyes * * rolled", "fit has gone on", "this fit", "fit for", "fit lasting", "having a @SEIZURE",
    ],
    "anaphylaxis": [
        "@AIRWAY @SWOLLEN", "@AIRWAY * @SWOLLEN", "@AIRWAY are @SWOLLEN", "@AIRWAY is @SWOLLEN",
        "@SWOLLEN @AIRWAY", "@SWOLLEN * @AIRWAY", "@SWOLLEN up", "throat * closing", "throat is closing",
        "throat feels tight", "throat * tight", "anaphylaxis", "anaphylactic", "anaflaxis", "anafalaxis",
        "anaphalaxis", "anaphylatic", "anafylaxis", "epipen", "epi pen", "epi-pen", "adrenaline pen",
        "severe allergic", "bad allergic reaction", "serious allergic", "allergic reaction * @BREATHE",
        "allergic reaction * @SWOLLEN", "allergic reaction * wheez", "allergic reaction * dizzy",
        "allergic reaction * wheezing", "allergic reaction * wheezy", "allergic reaction * faint",
        "@FACE is @SWOLLEN", "@FACE * @SWOLLEN up", "@FACE @SWOLLEN",
        "anafalactic", "anaphalactic", "anaphylactic shock", "anafylactic", "@AIRWAY * * @SWOLLEN", "@AIRWAY * * * @SWOLLEN",
    ],
    "labour": [
        "in @LABOUR", "gone into @LABOUR", "going into @LABOUR", "@LABOUR started", "contractions",
        "waters * broken", "waters broke", "waters have gone", "waters went", "baby is coming",
        "baby s coming", "baby coming", "giving birth", "about to give birth", "head is coming",
        "can see * head", "pushing", "need to push",
    ],
    "sepsis": [
        "@RASH * @NOT @FADE", "@RASH * @NOT * @FADE", "@RASH @NOT @FADE", "@RASH does not @FADE",
        "@RASH that does not", "@RASH * under * @GLASS", "non blanching", "non-blanching", "nonblanching",
        "@GLASS test", "@RASH * @GLASS", "@BLUE @SKIN", "@SKIN * @BLUE", "@SKIN is @BLUE", "@SKIN are @BLUE",
        "@SKIN has gone @BLUE", "@SKIN gone @BLUE", "@SKIN looks @BLUE", "@SKIN looks * @BLUE", "sepsis",
        "septic", "sepsys", "sespis", "turned @BLUE", "gone @BLUE", "going @BLUE", "turning @BLUE",
        "very pale and", "really pale and", "@SKIN * pale and cold", "@BREATHE * really fast",
        "@BREATHE * very fast",
        "@SKIN * gone * @BLUE", "@SKIN * gone * * @BLUE", "mottled", "blotchy and", "@BLUE * @BLUE colour",
    ],
    "child_signs": [
        "grunting", "grunts", "grunt", "sucking in under * ribs", "sucking in * ribs", "stomach * sucking in",
        "tummy * sucking in", "ribs * sucking in", "floppy", "lifeless", "gone limp", "went limp", "is limp",
        "limp and", "all limp", "@CHILD * @FLOPPY", "@NOT stay awake", "unusually sleepy", "@CHILD * sleepy",
        "@CHILD * * sleepy", "@CHILD * drowsy", "@CHILD * * drowsy",
        "high pitched cry", "high-pitched cry", "high pitched crying", "weird cry", "strange cry",
        "crying non stop", "crying nonstop", "non stop crying", "not stopped crying", "wo not stop crying",
        "will not stop crying", "@NOT stop crying", "weak cry", "@NOT feeding", "not feeding", "wo not feed",
        "will not feed", "refusing * feeds", "refusing to feed", "stopped feeding", "@NOT take * bottle",
        "@NOT keep * eyes open", "barely awake", "hard to wake",
        "not taken * bottle", "@NOT * take * bottle", "@NOT get her|him|them to wake", "@NOT get her|him|them * wake",
    ],
    "swallowed_object_or_poison": [
        "@SWALLOWED * battery", "@SWALLOWED * batteries", "@SWALLOWED * magnet", "@SWALLOWED * magnets",
        "@SWALLOWED * * battery", "@SWALLOWED * * magnet", "@SWALLOWED * bleach", "@SWALLOWED * * bleach",
        "@SWALLOWED * poison", "@SWALLOWED * @DANGEROUS_THING", "@SWALLOWED * * @DANGEROUS_THING",
        "@SWALLOWED * * * @DANGEROUS_THING", "button battery", "button batteries", "coin battery",
        "poisoned", "poisoning", "got into * @DANGEROUS_THING", "ate some * @DANGEROUS_THING",
        "drunk some * @DANGEROUS_THING", "@SWALLOWED * washing tablet", "@SWALLOWED * washing pod",
        "washing pod", "dishwasher tablet", "liquitab", "@SWALLOWED * nan s tablets", "@SWALLOWED * my tablets",
        "eaten * tablets", "eaten * pills", "@SWALLOWED * nans tablets", "@SWALLOWED * grans tablets",
    ],
    "dental_emergency": [
        "@JAW * @SWOLLEN * @BREATHE", "@SWOLLEN * @NOT @BREATHE", "@SWOLLEN * @NOT swallow",
        "@SWOLLEN * @NOT * swallow", "@SWOLLEN * @NOT open * eye", "@SWOLLEN * eye * shut", "eye * swollen shut",
        "@SWOLLEN * @NOT * open * eye", "@SWOLLEN * @NOT open * mouth", "@JAW * @SWOLLEN * swallow",
        "broken jaw", "jaw * broken", "smashed * jaw", "jaw * dislocated", "face * smashed", "@JAW * @BLEED * @NOT @STOP",
        "mouth * @BLEED * @NOT @STOP", "@BLEED from * mouth * @NOT @STOP", "@BLEED from * gum * @NOT @STOP",
        "@NOT swallow * @SWOLLEN", "@NOT swallow", "@SWOLLEN * affecting * @BREATHE", "@SWOLLEN * into * eye",
        "@SWOLLEN * neck", "@SWOLLEN * under * tongue",
        "jaw * * * broken", "jaw * broken", "@NOT close * mouth", "smashed * face", "out of line", "line up", "teeth smashed", "smashed * teeth",
    ],
}


# Red flags that show as words anywhere in the message rather than as one phrase. Each rule is a
# list of word sets; the flag stands when the message has a word from every set.
CO_OCCURRING: dict[str, list[list[set[str]]]] = {
    "serious_injury": [
        [{"head", "skull"}, {"fell", "fall", "hit", "banged", "bumped", "knocked", "injury", "smacked", "whacked",
                             "landed", "bashed"},
         {"sick", "vomiting", "vomit", "vomited", "throwing", "puking", "puked", "double", "drowsy"}],
    ],
    "sepsis": [
        [{"rash", "spots", "blotches", "marks", "dots"}, {"glass", "press", "pressed", "pressing"}],
    ],
    "dental_emergency": [
        [{"swollen", "swelling", "swelled", "swolen", "swells"},
         {"tooth", "teeth", "abscess", "abcess", "jaw", "gum", "gums", "wisdom", "toothache"},
         {"swallow", "swallowing", "breathe", "breathing", "eye", "eyes"}],
    ],
}

# Children and babies: swallowing a medicine, battery, magnet or chemical is a 999 call whatever
# the words in between (section 2).
SWALLOW_VERBS = {"swallowed", "swallow", "ate", "eaten", "eating", "drank", "drunk", "drink", "bit", "chewed",
                 "licked", "took", "taken", "necked", "swallowd", "swalloed", "swollowed"}
SWALLOW_THINGS = set(WORDS["DANGEROUS_THING"]) | {"batteries", "battery", "magnet", "magnets", "capsule", "pod",
                                                 "pods", "liquitab", "liquitabs", "pellets", "poison", "chemical",
                                                 "chemicals", "lighter", "fluid", "oil", "perfume"}

# Words naming a past event or a request about one: with them, a diagnosis word alone
# ("had a stroke last year", "my son's EpiPen prescription") is not an emergency now. Symptoms
# ("face drooping", "chest pain") are never cancelled this way.
DIAGNOSIS_WORDS = {"heart attack", "heartattack", "heart atack", "stroke", "mini stroke", "strok", "seizure",
                   "a fit", "epipen", "epi pen", "epi-pen", "adrenaline pen", "fit"}
PAST_OR_ADMIN = {"ago", "last", "survivor", "survivors", "rehab", "recovering", "recovered", "history",
                 "prescription", "renewed", "renew", "note", "luck", "course", "classes", "group", "since"}
HAPPENING_NOW = {"now", "just", "having", "think", "happening", "today", "minutes", "mins", "still", "again",
                 "suddenly", "sudden", "right", "currently", "another"}

# A rash that goes white under a glass blanches: reassuring, unless the message also says it
# does not fade.
BLANCHES = {"white", "fades", "faded", "disappears", "disappeared", "blanches", "blanching", "goes"}
