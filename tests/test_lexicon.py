"""The lexicon scorer: cues, idioms, negation, offsets and speed-independent behaviour."""

from __future__ import annotations

import numpy as np
import pytest

from forewarn.score.cascade import LEXICON_THRESHOLD
from forewarn.score.lexicon import LexiconScorer

LEX = LexiconScorer()


def prob(text: str, warning: str) -> float:
    return float(LEX.predict_proba([text])[0, LEX.labels_.index(warning)])


@pytest.mark.parametrize(
    "text,warning",
    [
        ("He stabbed the guard twice and kicked him down the stairs.", "violence"),
        ("Blood pooled beneath her, soaking into the rug.", "blood"),
        ("She pressed the blade to her wrist again, the old scars white under the new.", "self-harm"),
        ("He tied a noose from the bedsheet and wrote a note to his sister.", "suicide"),
        ("They chained him to the wall of the cell and left him in the dark.", "captivity"),
        ("The shelling began at dawn, and soldiers fell around him in the trench.", "war"),
        ("What the fuck is wrong with you, you shit?", "strong-language"),
        ("He beat the man until his knuckles split.", "violence"),
    ],
)
def test_clear_cues_score_high(text: str, warning: str) -> None:
    assert prob(text, warning) >= 0.5


@pytest.mark.parametrize(
    "text,warning",
    [
        ("She killed the engine and sat there killing time.", "death"),
        ("She killed the engine and sat there killing time.", "violence"),
        ("That was bloody brilliant, and a blood orange to finish.", "blood"),
        ("I'm dying to know what happened at the party.", "death"),
        ("He shot her a glance across the table.", "violence"),
        ("Her phone was dead again, so she borrowed his.", "death"),
        ("His cell phone buzzed on the desk.", "captivity"),
        # Found by a review of the demo and of typed examples:
        ("He snorted at her joke and ordered a Coke.", "drug-use"),
        ("Her knee joint ached, so she took two allergy pills.", "drug-use"),
        ("The bloody ferry was late again, bloody typical.", "blood"),
        ("She looked beneath her desk for the charger.", "classism"),
        ("That was a killer workout.", "death"),
        ("It was a minor collision, and they played on in D minor.", "underage"),
        ("The garden had been neglected for years.", "child-abuse"),
        ("Her little brother begged for tickle torture every night.", "torture"),
        ("That mission was suicide, and they all knew it.", "suicide"),
    ],
)
def test_idioms_do_not_count(text: str, warning: str) -> None:
    assert prob(text, warning) < 0.3


@pytest.mark.parametrize(
    "text,warning",
    [
        # A child and a harm in one sentence, in either order.
        ("The teacher saw the welts on the seven-year-old's legs and called the social worker.", "child-abuse"),
        ("When I was eight my uncle locked me in the cellar for two days.", "child-abuse"),
        # A partner and a harm or control in one sentence.
        ("Her husband took her phone and car keys and locked her in.", "abuse"),
        ("He told her she was imagining things until she believed it.", "abuse"),
        # An injury to one's own body.
        ("She dragged the razor along her own thigh and watched the line fill.", "self-harm"),
        # A refusal and a sexual act in one sentence.
        ("She said no twice, and he pulled her skirt up anyway.", "sexual-assault"),
        ("The coroner found that he had died by his own hand.", "suicide"),
        ("He crushed the man's fingers in the door and asked again where the money was.", "torture"),
    ],
)
def test_cues_that_join_two_parts_of_a_sentence(text: str, warning: str) -> None:
    assert prob(text, warning) >= 0.3


@pytest.mark.parametrize(
    "text,warning",
    [
        ("The children laughed. Their father beat the eggs for the pancakes.", "child-abuse"),  # two sentences
        ("She took matters into her own hands and phoned the council.", "self-harm"),
        ("My mother fell and broke her arm, so my husband drove us to the hospital.", "abuse"),
        ("She said no to dessert and sat on the bed reading.", "sexual-assault"),
        ("The carpenter checked every joint of the staircase.", "drug-use"),
        ("The climax of the opera came in the third act.", "sexual-content"),
        ("The demand came out several octaves higher than she liked.", "kidnapping"),  # the sample chapter
        ("The audience was held captive by the last act.", "captivity"),
    ],
)
def test_look_alikes_of_the_joined_cues_do_not_count(text: str, warning: str) -> None:
    assert prob(text, warning) < 0.3


@pytest.mark.parametrize(
    "text,warning",
    [
        ("He snorted two lines off the mirror.", "drug-use"),
        ("They passed a joint around the fire.", "drug-use"),
        ("The bloody knife lay on the tiles.", "blood"),
        ("Marrying a servant's son was beneath her, her mother said.", "classism"),
    ],
)
def test_the_literal_senses_of_those_words_still_count(text: str, warning: str) -> None:
    assert prob(text, warning) >= 0.3


# A review found plain physical violence without a cue ("kicked the prisoner in the ribs",
# "beat him with sticks"): no route to the violence head, so never flagged.
@pytest.mark.parametrize(
    "text",
    [
        "He kicked the prisoner in the ribs until something cracked.",
        "The soldier raised his rifle and shot the prisoner in the head.",
        "They beat him with sticks until he stopped moving.",
        "She hit the guard in the face with the lamp.",
        "He pistol-whipped the driver and dragged him out of the car.",
        "The men stomped on his hands until the fingers broke.",
        "He struck her across the mouth and she tasted copper.",
        "Someone had bludgeoned the old man in his kitchen.",
    ],
)
def test_physical_violence_without_the_usual_words_is_a_depiction(text: str) -> None:
    assert prob(text, "violence") >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "He kicked the ball into the net.",
        "She beat the eggs with a fork.",
        "Her brother beat her at Mario Kart eleven times in a row.",
        "They shot the film in Prague.",
        "She hit the lights and the room went dark.",
        "The clock struck midnight.",
        "He slapped him on the back and bought the next round.",
        "They kicked him out of the band for missing rehearsals.",
        "It struck her as odd that nobody had called.",
        "She shot him a look across the table.",
        "Only take a shot you're sure of.",
        # Found by a review of those cues:
        "She beat her sister with ease in the race.",
        "Tom shot the soldier a grin and passed him the bread.",
        "He slapped his brother on the back.",
        "Coach kicked the boys off the team for skipping practice.",
        "In the wash-hut he went at them with a wire brush and a bar of soap.",
    ],
)
def test_everyday_senses_of_those_verbs_do_not_count(text: str) -> None:
    assert prob(text, "violence") < 0.3


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("Her hands closed around his throat and squeezed until his heels stopped drumming.", "violence"),
        ("He held her head under the bathwater and counted to twenty.", "violence"),
        ("The guard swung the iron bar into the back of his knees.", "violence"),
        ("An hour after the ward round the registrar stepped back: she could not be revived.", "death"),
        ("Grandad went in his sleep, the week after his birthday.", "death"),
        ("The nurse drew the sheet up over his face and switched off the monitor.", "death"),
        ("Two men bundled her into the back of a white van and drove off.", "abduction"),
        ("The cellar door was bolted from the outside, and there was no handle on my side.", "abduction"),
    ],
)
def test_events_told_without_their_names_are_depictions(text: str, warning: str) -> None:
    assert prob(text, warning) >= 0.5


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("The stallion's monitor flatlined for a second, but it was only a loose lead.", "death"),
        ("The hospice charity shop sold her a velvet jacket for six pounds.", "death"),
        ("Desmond got press-ganged into coaching the under-nines.", "abduction"),
        ("The social worker carried her into our living room in a car seat.", "abduction"),
        ("They locked the shop from the outside every night at nine.", "abduction"),
    ],
)
def test_their_everyday_look_alikes_are_not(text: str, warning: str) -> None:
    assert prob(text, warning) < 0.5


def test_negation_weakens_but_keeps_a_mention() -> None:
    hits = [h for h in LEX.hits("He did not kill anyone that night.") if h.warning == "death"]
    assert hits and all(h.negated for h in hits)
    assert prob("He did not kill anyone that night.", "death") < prob("He killed him that night.", "death")


def test_hit_offsets_slice_the_term() -> None:
    text = "At dawn the soldiers marched. Later, blood dripped from the table."
    for h in LEX.hits(text):
        assert text[h.start : h.end].lower() == h.term.lower()


def test_overlapping_cues_count_once_at_the_strongest_tier() -> None:
    hits = [h for h in LEX.hits("He was covered in blood.") if h.warning == "blood"]
    assert len(hits) == 1 and hits[0].tier == "depiction"


def test_shape_and_range() -> None:
    out = LEX.predict_proba(["", "a calm afternoon by the river", "he stabbed him"])
    assert out.shape == (3, len(LEX.labels_)) and np.all((out >= 0) & (out <= 1))
    assert out[1].max() < 0.1


def test_case_insensitive() -> None:
    assert prob("HE STABBED HIM", "violence") == pytest.approx(prob("he stabbed him", "violence"))


def test_anchored_matching_finds_exactly_what_a_full_scan_finds() -> None:
    """The word-start index is an optimisation only: same hits as scanning every pattern."""
    texts = [
        "No homo, he said, and took a drink. She was in heat, the dog, not the girl.",
        "He stabbed him; blood pooled. Self-harm scars. A bloody brilliant n1gger-free day? SELF HARM.",
        "they dragged her into the van and drove her away; she woke up in a strange dark room",
        "",
        "a a a drink drinks drunk; the soldiers fell around him as the shelling began at 1200",
        "When I was eight my uncle locked me in the cellar; she said no twice and he pulled her skirt up anyway.",
        "THE LIGHT LEFT HIS EYES. the  light left his eyes; the-light left his eyes; the light\nleft his eyes",
        "İİİ the shelling began; she shelled peas. The baby kicked, the baby's kick; a hood over his head",
        "the little boys' belts, the Little Boy was beaten, his own arm, his owner, her own wrist cut",
        "The first demands came at noon; their demands had arrived. He'd hit her. I'm sorry, I'll be good.",
        "a c-section, the he-she slur, self-harm, self harm; he'll always be a boy, you'll always be a girl",
    ]
    fast = [LEX.hits(t) for t in texts]
    plain = LexiconScorer()
    plain._tiers = [(w, tier, terms, None) for w, tier, terms, _ in plain._tiers]
    assert fast == [plain.hits(t) for t in texts]


@pytest.mark.parametrize(
    "pattern,anchors",
    [
        ("sons?", {"son"}),
        ("(?:(?:little|young) boys?|daughters?)", {"=little>boy", "=young>boy", "dau"}),
        ("(his|her) own", {"=his>own", "=her>own"}),
        ("(ab)+c", {"ab"}),  # a repeated group: "ababc" must still be tried
        ("(?<!fell and )broke", {"bro"}),
        (
            "(?:a |the )?(?:packet|box) of",
            {"=a>pac", "=a>box", "=the>pac", "=the>box", "=packet>of", "=box>of"},
        ),
        ("his own (?:arm|wrist)", {"=his>own"}),  # two words are enough to narrow it
        ("the light (left|faded) (his|her) eyes", {"=the>lig"}),
        (r"the \w+ died", {"=the"}),  # the second word is unknown: "the" alone
        ("blow ?job", {"blo"}),  # the space is optional: "blowjob" must still be tried
        ("the (?:first )?demands?", {"=the>fir", "=the>dem"}),  # an optional next word
        ("the (?:a|)x", {"=the"}),  # a next word that may be empty is unknown
        ("(he|she)'d hit", {"=he", "=she"}),  # words end at an apostrophe...
        ("he-she", {"=he"}),  # ...or a hyphen
        ("(he|she)'?d hit", {"he", "she"}),  # unless it is optional ("hed")
        ("abc|def", {"abc", "def"}),
        (r"ab\|c|de", {"ab", "de"}),  # an escaped bar does not split...
        ("ab[|)]c|(?:de|fg)", {"ab", "de", "fg"}),  # ...nor one in a class, nor a bracket there
        (r"\w+-year-old", None),
        ("(?!no)abc", None),
        ("(ab)?", None),
    ],
)
def test_anchors_follow_nested_and_optional_groups(pattern: str, anchors: set[str] | None) -> None:
    from forewarn.score.lexicon import _anchors

    assert _anchors(pattern) == anchors


def test_every_shipped_cue_group_is_anchored() -> None:
    """An unanchored group runs its whole regex on every passage (it doubled scan time once)."""
    assert [(w, tier) for w, tier, _, anchors in LEX._tiers if anchors is None] == []


def test_letters_that_lengthen_when_lowered_do_not_hide_later_cues() -> None:
    """'İ'.lower() is two characters: lowering the whole text once shifted every later offset."""
    assert prob("They met in İstanbul. He stabbed him and blood pooled.", "violence") >= 0.5


@pytest.mark.parametrize(
    "text,warning",
    [
        # Wordings without the warning's name, written for these tests (the cues were
        # developed on data/written/train.jsonl and tune.jsonl, not on these sentences).
        ("She kept his passport and his bank card locked in her desk drawer.", "abuse"),
        ("He was nine when his stepfather first locked him in the cupboard for a whole weekend.", "child-abuse"),
        ("He kept going after she said no, twice.", "sexual-assault"),
        ("She threw up after every meal and weighed herself each morning.", "eating-disorders"),
        ("He pressed the lighter to his own forearm and held it there.", "self-harm"),
        ("They hung him by his wrists from the beam.", "torture"),
    ],
)
def test_unnamed_harm_is_flagged(text: str, warning: str) -> None:
    assert prob(text, warning) >= LEXICON_THRESHOLD


# Figurative and unrelated senses found by reading the lexicon's hits on AO3 dev passages
# (2024 audit); each pair is written for these tests: the first must not flag the warning,
# the second uses the same word literally and must.
IDIOM_PAIRS = [
    # death
    ("death", "If looks could kill, the waiter would have been ash.", "He swore he would kill the waiter."),
    ("death", "She came to the gala dressed to kill.", "He was sent to the gala to kill the envoy."),
    (
        "death",
        "Collectors would kill to get their hands on that stamp.",
        "The guards would kill anyone who touched the stamp.",
    ),
    ("death", "The Death Eaters marched through Diagon Alley.", "His death came quietly in the night."),
    ("death", "She spent the summer rereading Death Note.", "Her death was ruled an accident."),
    ("death", "You are dead wrong about the train times.", "The conductor was dead by morning."),
    ("death", "The wind finally began to die down.", "The old dog began to die that winter."),
    (
        "death",
        "She stopped dead in the hallway when she heard her name.",
        "She was dead in the hallway when they found her.",
    ),
    ("death", "The cat jumped out and scared him half to death.", "They beat him half to death in the alley."),
    ("death", "The detectives pinned photos to their murder boards.", "The detectives were sure it was murder."),
    ("death", "They painted skulls for the Day of the Dead.", "They buried the dead at dawn."),
    ("death", "She swept the dead leaves off the step.", "She found the dead man on the step."),
    # violence
    ("violence", "She has had panic attacks since the spring.", "The village suffered attacks since the spring."),
    (
        "violence",
        "The smell of the fish market assaulted his senses.",
        "Two men assaulted him outside the fish market.",
    ),
    ("violence", "She sings, dances and acts: a triple threat.", "He made a threat against the singer."),
    ("violence", "He let out a strangled laugh.", "He strangled the guard with a cord."),
    ("violence", "Her voice came out strangled when she said his name.", "Her sister was strangled in her bed."),
    ("violence", "She punched some numbers into the keypad.", "She punched him in the jaw."),
    ("violence", "The storm clouds threatened to snuff out the moon.", "He threatened to shoot the farmer."),
    ("violence", "Tears threatened to spill down her cheeks.", "Her brother threatened her with a knife."),
    ("violence", "The grief threatened to overwhelm him.", "The raiders threatened to burn the village."),
    ("violence", "She fought the urge to laugh.", "She fought the burglar off with a poker."),
    ("violence", "The road wound up the side of the hill.", "The wound on his side would not close."),
    # blood
    ("blood", "He was too wound up to sleep.", "The wound in his thigh reopened."),
    ("blood", "The army retreated to lick their wounds.", "The medic cleaned their wounds."),
    ("blood", "Time heals all wounds, his grandmother said.", "Time and iodine healed his wounds."),
    ("blood", "That remark only rubbed salt in the wound.", "The blade left a wound in his arm."),
    ("blood", "The droids carried plasma rifles.", "The nurse hung a bag of plasma by the bed."),
    ("blood", "Her shirt was soaked with sweat after the run.", "Her shirt was soaked with blood after the fight."),
    ("blood", "Music is in her blood.", "There was blood in her hair."),
    ("blood", "The lawyers would bleed the estate dry.", "The cut kept bleeding through the gauze."),
    # suicide
    (
        "suicide",
        "She looked like she had stepped out of a Suicide Girls shoot.",
        "Her cousin died by suicide last spring.",
    ),
    # self-harm
    (
        "self-harm",
        "He studied the blade of the old sword on the wall.",
        "She hid the blade in her sock drawer after cutting.",
    ),
    (
        "self-harm",
        "He drew his sword and the blade caught the light.",
        "She kept the blade under her mattress for the bad nights.",
    ),
    (
        "self-harm",
        "The horse could slip and hurt himself on the ice.",
        "He would lock the door and hurt himself when no one was home.",
    ),
    # eating-disorders
    (
        "eating-disorders",
        "Those books were restricted to the library's back room.",
        "She restricted for weeks before anyone noticed.",
    ),
    # child-abuse
    ("child-abuse", "The attic was thick with the dust of neglect.", "The toddler was taken into care for neglect."),
    # pregnancy
    ("pregnancy", "Her assignments all had the same due date.", "The midwife checked her due date again."),
    # childbirth
    ("childbirth", "The villagers were crowning him with flowers.", "The midwife said the baby was crowning."),
    # underage
    ("underage", "In the dream she was 12 feet tall.", "The first time he touched her, she was 12."),
    # drug-use
    ("drug-use", "He shot up from his chair when the phone rang.", "He shot up in the toilets of the station."),
    ("drug-use", "Hands shot up all over the classroom.", "She shot up heroin behind the shed."),
    ("drug-use", "The dealer shuffled the cards for another hand.", "Her dealer left a bag of pills under the bench."),
    ("drug-use", "The casino dealer smiled at him.", "He bought from a dealer on the corner."),
    ("drug-use", "She wore a sober black dress to the meeting.", "He had been sober for ninety days."),
    ("drug-use", "The general ordered a tactical withdrawal.", "The withdrawal kept him awake and shaking."),
    ("drug-use", "The old man's artificial joint ached in the cold.", "They passed a joint around the campfire."),
    ("drug-use", "Molly laughed and poured the tea.", "They took molly at the festival."),
    # mental-illness
    (
        "mental-illness",
        "His parents threatened to send him to conversion therapy.",
        "She started therapy for her depression.",
    ),
    ("mental-illness", "The boss was a nightmare version of the cartoon cat.", "He woke from a nightmare screaming."),
    ("mental-illness", "The meadow was almost hallucinatory in its colour.", "The fever made him hallucinate spiders."),
    # captivity
    ("captivity", "She was fiddling with her cell and scrolling photos.", "The guard dragged her back to her cell."),
    ("captivity", "He loved her with every cell of his being.", "He spent six years in a cell."),
    ("captivity", "She restrained herself from saying it.", "They restrained him and carried him below."),
    ("captivity", "He gave a restrained laugh.", "The prisoner was restrained on the cot."),
    ("captivity", "The island chains stretch to the east.", "The prisoner's chains rattled on the stone."),
    ("captivity", "He paced like a caged animal before the exam.", "They kept the girl caged in the cellar."),
    ("captivity", "They rode down in a cage-like lift.", "They kept the boy in a cage for months."),
    ("captivity", "Buy me a coffee and I'll be your slave!", "He was sold as a slave at the age of nine."),
    ("captivity", "Boba Fett flew Slave 1 through the asteroid field.", "The slave had been chained to the oar."),
    # abduction
    ("abduction", "She snatched the cup out of his hands.", "The child was snatched from the park."),
    (
        "abduction",
        "He snatched it off the table before I could read it.",
        "The girl was snatched on her way to school.",
    ),
    # animal-death
    ("animal-death", "The bounty hunter fired at the outlaw.", "The hunter shot the stag at dawn."),
    ("animal-death", "The people hunting him down were getting closer.", "They went hunting for rabbits at dawn."),
    ("animal-death", "He slaughtered over two dozen people in the raid.", "The farmer took the pigs to slaughter."),
    ("animal-death", "The raiders slaughtered the villagers.", "They slaughtered the pig for the feast."),
    ("animal-death", "It was a terrible slaughter on the battlefield.", "He worked at the slaughterhouse for years."),
    (
        "animal-death",
        "They glared at him as if he had shot their dogs.",
        "The farmer shot their dogs when they killed the sheep.",
    ),
    # ableism
    ("ableism", "They knew each other's blind spots.", "Her blind uncle was refused entry."),
    (
        "ableism",
        "He whistled on, apparently deaf to the whole conversation.",
        "The school for deaf children was closing.",
    ),
    ("ableism", "Your opinion is invalid, you like dinosaurs.", "He was treated as an invalid after the stroke."),
    ("ableism", "The code was invalid and the door stayed shut.", "She nursed her husband, an invalid, for years."),
    ("ableism", "The car sped off down the road.", "They called him a sped in front of the class."),
    ("ableism", "Her body went limp in his arms.", "They mocked the boy for his limp."),
    ("ableism", "The compost was full of rotting vegetable matter.", "They called him a vegetable after the accident."),
    ("ableism", "He lost his wages to a one-armed bandit.", "The bullies mocked his stutter and called him a retard."),
    # racism
    ("racism", "He pulled her into a savage kiss.", "The settlers called the natives savages."),
    ("racism", "The League hunted Vandal Savage across the city.", "The colonists called him a savage."),
    ("racism", "Bring me coffee and I'll be your slave!", "His grandmother was born a slave in Georgia."),
    # classism
    ("classism", "She was the first of her kind to cross the sea.", "He sneered that her kind never paid their debts."),
    ("classism", "He cared nothing for the general welfare of the crew.", "They sneered at the family on welfare."),
    ("classism", "The health and welfare of the animals came first.", "She lived on welfare after the plant closed."),
    # fatphobia
    (
        "fatphobia",
        "He added an extra ration of fatty pork to the stew.",
        "The boys called him fatty all through school.",
    ),
    # sexism
    ("sexism", "He'd come home and beat the closet man up.", "His father told him to man up and stop crying."),
    # dissection
    (
        "dissection",
        "Her cousin was a fine specimen of a rower.",
        "The lab kept the specimen in formalin before the dissection.",
    ),
    # sexual-content
    (
        "sexual-content",
        "She thrust a hand into his chest and pulled out his heart.",
        "He began to thrust harder as she moaned.",
    ),
    ("sexual-content", "The crown had been thrust upon him too young.", "He gripped her hips with every thrust."),
    (
        "sexual-content",
        "The outfits were designed with sex appeal in mind.",
        "They had sex for the first time that night.",
    ),
    ("sexual-content", "Athletes were admitted regardless of sex, age and race.", "They talked about sex all night."),
    ("sexual-content", "He had always desired his own sex.", "Sex with him was always slow."),
    ("sexual-content", "Dick Grayson swung down from the rooftop.", "She wrapped her hand around his dick."),
    # war
    ("war", "They planned a prank war against the other dorm.", "The war had lasted six years."),
    ("war", "He was at war with his own conscience.", "The country was at war with its neighbour."),
    ("war", "She chose a safer occupation, accounting.", "The occupation of the city lasted four years."),
    ("war", "What is your current occupation?", "Life under the occupation was grim."),
    ("war", "Gerard's true occupation is causing havoc.", "The occupation forces patrolled the streets."),
    ("war", "The table occupied most of the room.", "The enemy occupied the town at dawn."),
    ("war", "The puzzle kept him occupied all evening.", "The occupied territories were cut off."),
    ("war", "The seat that had been occupied by the mayor was empty.", "Troops occupied the capital for a year."),
    ("war", "The crabs hid in their shells.", "Shells rained down on the trenches."),
    ("war", "My cooking is so bomb, you'll see.", "A bomb went off at the station."),
    ("war", "They floated in the kolto tanks to heal.", "The tanks rolled across the border."),
    # abuse
    ("abuse", "He handed me a battered copy of the novel.", "She was a battered wife for twelve years."),
    ("abuse", "Necromancy is the manipulation of souls.", "His manipulation left her doubting her own memory."),
]


@pytest.mark.parametrize("warning,figurative,literal", IDIOM_PAIRS)
def test_figurative_senses_found_on_ao3_text_do_not_count(warning: str, figurative: str, literal: str) -> None:
    assert prob(figurative, warning) < 0.3
    assert prob(literal, warning) >= 0.3


@pytest.mark.parametrize(
    "social,heavy",
    [
        ("They had a glass of wine with dinner.", "She opened the second bottle of wine before noon."),
        ("He ordered a beer at the pub.", "Empty beer cans covered every surface of the flat."),
        ("He poured himself a whisky and sat by the fire.", "By midnight he was on his fourth whisky."),
        ("We went out for a drink after work.", "She kept drinking until the room tilted."),
    ],
)
def test_social_drinking_is_not_drug_use_but_heavy_drinking_is(social: str, heavy: str) -> None:
    """The taxonomy's drug-use warning is heavy drinking, intoxication and addiction: one glass
    of wine flagged most works (a batch of 150 stories: drug use undeclared in all of them)."""
    assert prob(social, "drug-use") < LEXICON_THRESHOLD <= prob(heavy, "drug-use")


@pytest.mark.parametrize(
    "text",
    ["She cut her wrist with the razor.", "He cut his arm with the razor.", "She sliced her thigh open with a shard."],
)
def test_cutting_oneself_with_a_blade_is_self_harm(text: str) -> None:
    assert prob(text, "self-harm") >= LEXICON_THRESHOLD
    assert prob("He cut his hand on the broken glass while washing up.", "self-harm") < LEXICON_THRESHOLD


def test_an_age_after_a_sexual_act_is_underage() -> None:
    assert prob("The first time he touched her, she was 12.", "underage") >= LEXICON_THRESHOLD


@pytest.mark.parametrize(
    "warning,everyday,literal",
    [
        # From a review of ratings on project-written scenes; sentences written for these tests.
        ("sexual-content", "She kept the money folded inside her tampon box.", "He came inside her, gasping."),
        ("torture", "Dad handed me the pliers and we rewired the old lamp.", "He closed the pliers on her fingernail."),
        (
            "incest",
            "Her mother sat on the other side of the bed, holding Nana's hand.",
            "Her own brother kissed her in the dark.",
        ),
        (
            "abduction",
            "Her mother stood there with her hand over her mouth.",
            "A gloved hand over her mouth, he dragged her into the van.",
        ),
        (
            "animal-cruelty",
            "She slapped the bird onto the board and picked up the knife.",
            "He kicked the dog until it stopped moving.",
        ),
        ("violence", "Her warm-ups sounded like a cat being strangled.", "He strangled the guard with the cord."),
        ("drug-use", "You find the joint with your thumb, and you cut.", "He rolled a joint and lit it."),
        # the idiom audit's note: the exclude "the bomb" vetoed every literal bomb
        ("war", "That party was the bomb!", "They dropped the bomb on the city at dawn."),
    ],
)
def test_everyday_senses_from_the_rating_review_do_not_count(warning: str, everyday: str, literal: str) -> None:
    assert prob(everyday, warning) < LEXICON_THRESHOLD <= prob(literal, warning)


def test_a_long_run_of_spaces_costs_less_than_prose() -> None:
    """Regression: at every space of a long run (padding, blank lines) each idiom and severity
    cue was tried: 25 MiB of spaces took minutes to scan, longer than as much prose. Timed
    against prose of the same length on the same machine, so a slow machine slows both."""
    import time

    from forewarn.severity import load_severity_cues

    lexicon, severity = LexiconScorer(), load_severity_cues()
    prose = " ".join(f"She walked word{i % 97} home past the harbour." for i in range(8_000))
    spaces = "He stabbed the guard." + " " * (len(prose) - 40) + "Blood pooled."

    def seconds(text: str) -> float:
        """The fastest of three runs: one run on a busy machine (CI running beside other jobs)
        is as much the machine as the code."""
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            lexicon.hits(text)
            severity.raised(text, "violence")
            best = min(best, time.perf_counter() - start)
        return best

    seconds(prose)  # warm the word cache
    lexicon.hits("He stabbed the guard. Blood pooled.")  # and compile the cues the spaces' words meet
    # About 0.8 of the prose's time now (the prose got faster since the fix); 2.4 times it before.
    assert seconds(spaces) < 1.5 * seconds(prose)
    assert [h.warning for h in lexicon.hits(spaces)] == ["violence", "blood"]
