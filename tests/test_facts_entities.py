"""Entity claims: names read without a model, aligned to the article, with verdicts and evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.documents import load_document_dir as load_document
from harness.errors import HarnessError
from harness.facts import check_summary, extract_facts, table_for_document
from harness.facts.entities import read_names
from harness.facts.entity_index import build_index
from harness.facts.gold_entities import parse_gold_entities
from harness.facts.keys import reference_keys
from harness.facts.table import FactTable

SEED = Path(__file__).resolve().parents[1] / "references" / "syria-talks"
ARTICLE = (
    "The United States suspended talks with Russia on Monday, the State Department said. "
    "Secretary of State John Kerry had threatened the step. \u201cWe are suspending the talks,\u201d Mr. Kirby said. "
    "The U.N. said aid to Aleppo had stopped. Syrian forces attacked the city, where Sergey V. Lavrov said nothing. "
    "Diplomats at the United Nations met on Tuesday."
)


@pytest.fixture(scope="module")
def table() -> FactTable:
    return extract_facts(ARTICLE)


def verdicts(summary: str, table: FactTable) -> dict[str, str]:
    return {claim.name: claim.verdict for claim in check_summary(summary, table).entity_claims}


def test_names_drop_titles_possessives_and_calendar_words():
    names = [n.text for n in read_names("Secretary of State John Kerry met Mr. Kirby on Monday in May. Russia's role grew.")]
    assert names == ["John Kerry", "Kirby", "Russia"]


def test_a_sentence_opening_word_is_a_name_only_with_evidence():
    assert [n.text for n in read_names("Officials said the talks ended. However, Kerry left.")] == ["Kerry"]
    assert [n.text for n in read_names("Aleppo was bombed.", known={"aleppo"})] == ["Aleppo"]
    assert read_names("Aleppo buildings burned.") == []  # no evidence that the first word names something


def test_article_entities_group_surnames_acronyms_and_demonyms(table):
    index = table.entities
    kerry = index.by_id[index.by_token["kerry"][0]]
    assert kerry.name == "John Kerry" and kerry.kind == "person"
    assert index.by_key["un"] == index.by_key["united nations"]
    assert index.by_key["syria"]  # "Syrian" names Syria


@pytest.mark.parametrize("name", ["Kerry", "Mr. Kerry", "UN", "United Nations", "Syria", "US", "Washington", "Russian"])
def test_faithful_forms_of_article_names_are_supported(table, name):
    found = verdicts(f"The talks ended, and {name} was involved.", table)
    assert set(found.values()) == {"supported"}, found


def test_an_extrinsic_place_is_not_in_the_article(table):
    result = check_summary("The United States suspended talks with Russia in Geneva on Monday.", table)
    found = {c.name: c for c in result.entity_claims}
    assert found["Geneva"].verdict == "not_in_article" and found["Russia"].verdict == "supported"
    assert result.flagged and not result.figures_flagged
    assert result.to_dict()["entities_not_in_article"] == 1 and result.to_dict()["figures_not_in_article"] == 0


def test_an_act_given_to_another_agent_is_contradicted_with_evidence(table):
    result = check_summary("Sergey Lavrov said they were suspending the talks.", table)
    claim = next(c for c in result.entity_claims if c.name == "Sergey Lavrov")
    assert claim.verdict == "contradicted"
    assert "Kirby" in claim.evidence.text and "Kirby" in claim.reason
    # The agent the article gives it to is supported.
    assert verdicts("Mr. Kirby said they were suspending the talks.", table) == {"Kirby": "supported"}


def test_a_person_speaking_for_a_country_does_not_contradict_the_country(table):
    # People speak for countries and bodies: Kirby's words are the United States' (and the reverse).
    assert verdicts("The United States said it was suspending the talks.", table)["United States"] == "supported"
    # A person is contradicted only by another person: Kerry is not Kirby.
    assert verdicts("John Kerry said they were suspending the talks.", table)["John Kerry"] == "contradicted"


def test_counts_keep_figures_apart(table):
    data = check_summary("The U.N. said 12 aid trucks reached Geneva.", table).to_dict()
    assert data["numeric_precision"] is None or data["claims_total"] >= 1
    assert data["entity_precision"] == pytest.approx(0.5)
    kinds = {c["claim_kind"] for c in data["claims"]}
    assert "entity" in kinds
    assert data["not_in_article"] == data["figures_not_in_article"] + data["entities_not_in_article"]


def test_lower_cased_article_supports_cased_names():
    lowered = extract_facts(ARTICLE.lower())
    assert set(verdicts("The talks with Russia ended, and Kerry left Aleppo.", lowered).values()) == {"supported"}


def test_table_round_trip_keeps_entities(table):
    again = FactTable.from_dict(table.to_dict())
    assert again.entities.by_key == table.entities.by_key
    assert check_summary("Lavrov said they were suspending the talks.", again).contradicted == 1


def test_seed_cli_cases():
    table = table_for_document(load_document(SEED))
    moved = check_summary("The United States suspended talks with Russia in Geneva over the assault on Aleppo.", table)
    assert [c.name for c in moved.entity_claims if c.verdict == "not_in_article"] == ["Geneva"]
    lavrov = check_summary("Russian foreign minister Sergey Lavrov announced that the United States was suspending "
                           "talks with Russia.", table)  # fmt: skip
    claim = next(c for c in lavrov.entity_claims if c.verdict == "contradicted")
    assert claim.entity.id == "lavrov" and "John Kirby" in claim.evidence.text


def test_seed_references_name_only_article_entities():
    document = load_document(SEED)
    table = table_for_document(document)
    assert table.key_rule == "gold"
    assert {e.id for e in table.entities.key_entities()} == {"united-states", "russia", "aleppo"}
    for reference in document.references:
        assert not check_summary(reference.text, table).flagged, reference.id


def test_gold_entities_are_validated(table):
    with pytest.raises(HarnessError, match=r"entities\[0\] \('geneva'\): field 'name' \('Geneva'\) is not an entity"):
        parse_gold_entities({"entities": [{"id": "geneva", "name": "Geneva"}]}, table.entities, "x/facts.yaml")
    with pytest.raises(HarnessError, match=r"entities\[0\]: unknown field 'role'"):
        parse_gold_entities({"entities": [{"id": "k", "name": "Kerry", "role": "x"}]}, table.entities)
    with pytest.raises(HarnessError, match=r"entities\[1\] \('k'\): id appears twice"):
        parse_gold_entities({"entities": [{"id": "k", "name": "Kerry"}, {"id": "k", "name": "Russia"}]}, table.entities)
    index = parse_gold_entities({"entities": [{"id": "kerry", "name": "Mr. Kerry", "key": True}]}, table.entities)
    assert [e.id for e in index.key_entities()] == ["kerry"]


def test_reference_keys_are_what_the_references_state(table):
    keyed = reference_keys(table, ["Mr. Kerry threatened to end talks with Russia."])
    assert keyed.key_rule == "references"
    assert {e.name for e in keyed.entities.key_entities()} == {"John Kerry", "Russia"}
    result = check_summary("Kerry spoke.", keyed)
    assert result.key_entity_recall == pytest.approx(0.5)


def test_index_is_built_once_per_table(table):
    assert build_index(ARTICLE).entities == table.entities.entities


def test_initials_support_an_acronym_not_another_full_name():
    table = extract_facts("James Collins scored twice for the club on Saturday. The U.N. said aid had stopped.")
    assert verdicts("The United Nations said aid had stopped.", table) == {"United Nations": "supported"}
    assert verdicts("Jack Coleman scored twice.", table) == {"Jack Coleman": "not_in_article"}  # "J. C." is no evidence


def test_a_plural_acronym_is_a_class_of_people_not_a_name():
    assert [n.text for n in read_names("The reform changes how the country elects MPs and pays GPs, the BBC said.")] == ["BBC"]


def test_a_models_unknown_word_marker_is_flagged_for_what_it_is():
    """Pointer-generator-era summaries write "UNK" for a word they could not produce: it is never supported, and
    the reason says what it is; a lone letter left by a tokenizer ("O ' Sullivan") is no name."""
    result = check_summary("Mr. Kirby met UNK in UNK Paris. O ' Sullivan agreed.", extract_facts("Mr. Kirby met the press in Paris."))
    claims = [(c.name, c.verdict) for c in result.entity_claims]
    assert claims == [("Kirby", "supported"), ("UNK", "not_in_article"), ("UNK", "not_in_article"), ("Paris", "supported"),
                      ("Sullivan", "not_in_article")]  # fmt: skip
    assert "marker for a word it could not write" in result.entity_claims[1].reason


def test_elided_names_and_one_name_spelled_two_ways():
    """"O ' Sullivan" (a tokenizer's split) is O'Sullivan; an article that spells one body two ways does not make
    the one spelling contradict the other, while a different agent still does."""
    table = extract_facts("Ronnie O'Sullivan beat Matthew Stevens. The Trussel Trust claimed that a million people "
                          "are fed by food banks. Mr. Stevens said he was tired after the long final.")  # fmt: skip
    assert verdicts("O ' Sullivan won.", table) == {"Sullivan": "supported"}
    assert verdicts("The Trussell Trust claimed that a million people are fed by food banks.", table) == {"Trussell Trust": "supported"}
    assert verdicts("Ronnie O'Sullivan said he was tired after the long final.", table) == {"Ronnie O'Sullivan": "contradicted"}


def test_a_name_the_article_writes_only_the_common_words_of_is_not_in_it():
    """"Portman Road" against an article that names only "Loftus Road": the shared word names nothing; a
    distinctive word written ("Hopley" of "Martyn Hopley") still counts as half the name."""
    table = extract_facts("Ipswich beat Rangers 3-0. The Rs have won once in six matches away from Loftus Road. "
                          "Hopley said the team had played well.")  # fmt: skip
    assert verdicts("Ipswich beat QPR at Portman Road.", table)["Portman Road"] == "not_in_article"
    assert verdicts("Ipswich won, said Martyn Hopley.", table) == {"Ipswich": "supported", "Martyn Hopley": "supported"}


def test_a_name_shortened_word_by_word_is_the_articles_name():
    table = extract_facts("Manchester United manager Louis van Gaal greeted fans on Monday. The National Assembly met.")
    assert verdicts("A Man Utd fan handed Van Gaal a list.", table)["Man Utd"] == "supported"
    assert verdicts("The Nat Assembly met.", table)["Nat Assembly"] == "supported"
    assert verdicts("A Mal Utd fan handed Van Gaal a list.", table)["Mal Utd"] == "not_in_article"


def test_a_lower_cased_summary_has_its_names_after_a_title_read():
    """XSum's systems write lower case: a role or honorific still marks the name after it."""
    table = extract_facts("Mourinho said the club would fight on. The coach praised the players after the win.")
    assert verdicts("manager jose mourinho says the club will fight on.", table) == {"jose mourinho": "supported"}
    assert verdicts("manager jose wright says the club will fight on.", table) == {"jose wright": "not_in_article"}
    assert verdicts("mr swede said the club will fight on.", table) == {"swede": "not_in_article"}
    # ordinary words after a role, a verb form, a lone word after a role: no name
    assert verdicts("the coach praised the players after the win.", table) == {}
    assert verdicts("a lollipop lady broke her leg.", table) == {}
    assert verdicts("striker scoring twice won it.", table) == {}
    assert verdicts("manager wright says the club will fight on.", table) == {}


def test_a_place_names_its_country_one_way_and_aliases_name_one_body():
    table = extract_facts("A woman from Salt Lake City, Utah, was jailed. The Tory leader spoke in Derry. Rwanda said no.")
    assert verdicts("A woman in the US state of Utah was jailed.", table) == {"US": "supported", "Utah": "supported"}
    assert verdicts("A woman in Texas was jailed.", table) == {"Texas": "not_in_article"}  # a sibling is no evidence
    assert verdicts("The Conservative leader spoke in Londonderry.", table) == {"Conservative": "supported",
                                                                                 "Londonderry": "supported"}  # fmt: skip
    assert verdicts("A Rwandan man was jailed.", table) == {"Rwandan": "supported"}
    claim = check_summary("She lived in the US.", table).entity_claims[0]
    assert claim.reason == "the article names 'Utah', which is in the United States"


def test_a_possessive_inside_a_run_of_capitals_ends_a_name():
    names = read_names("He joined Crystal Palace's Jonny Williams. Full-back Jordan Evans signed for Britain's Jade Jones.")
    assert [n.text for n in names] == ["Crystal Palace", "Jonny Williams", "Jordan Evans", "Britain", "Jade Jones"]


def test_a_name_spliced_from_two_people_of_the_article_is_contradicted():
    table = extract_facts("Jonny Evans scored twice. Tom Chester defended well. Evans and Chester were praised.")
    result = check_summary("Jonny Chester scored twice.", table)
    assert [(c.name, c.verdict) for c in result.entity_claims] == [("Jonny Chester", "contradicted")]
    assert "'Jonny Evans' and 'Tom Chester', two people" in result.entity_claims[0].reason
    # a surname the article gives without a first name may have the summary's first name: no splice shown
    table = extract_facts("James Anderson bowled well. Vince made a century.")
    assert verdicts("James Vince made a century.", table) == {"James Vince": "supported"}


def test_entity_kinds_read_from_place_and_club_words():
    result = check_summary("Ipswich Town beat QPR at Portman Road, John Smith said.",
                           extract_facts("Ipswich Town beat Queens Park Rangers 3-0 at home, John Smith said."))  # fmt: skip
    kinds = {c.name: c.entity_kind for c in result.entity_claims}
    assert kinds == {"Ipswich Town": "organisation", "QPR": "organisation", "Portman Road": "place", "John Smith": "person"}


def test_a_lower_cased_summary_has_the_names_its_article_capitalises_read():
    """Words the article writes only capitalised are names in a lower-cased summary too; words it also writes
    in lower case ("may", "bill") are not."""
    table = extract_facts("Sam Burgess signed on Monday. Fly-half Tom Charnley may leave, Burgess said. Charnley wants "
                          "a bill passed. Johan Gustafsson was freed. Gustafsson thanked Mali.")  # fmt: skip
    assert verdicts("sam burgess signed on monday.", table) == {"sam burgess": "supported"}
    result = check_summary("sam charnley signed on monday.", table)
    assert [(c.name, c.verdict) for c in result.entity_claims] == [("sam charnley", "contradicted")]
    assert verdicts("a bill may pass, said burgess.", table) == {"burgess": "supported"}
    # a first name of the article with a surname it never writes is someone it does not name
    result = check_summary("johan gusttrom was freed.", table)
    assert [(c.name, c.verdict) for c in result.entity_claims] == [("johan gusttrom", "not_in_article")]
    assert result.entity_claims[0].reason == "the article's Johan is 'Johan Gustafsson'; it never writes 'gusttrom'"
    assert verdicts("johan gustafson was freed.", table) == {"johan gustafson": "supported"}  # one letter off
    assert verdicts("Johan Gust was freed.", table) == {"Johan Gust": "supported"}  # cut short, not renamed
    assert verdicts("Johan Gusttrom was freed.", table) == {"Johan Gusttrom": "not_in_article"}  # cased alike


def test_a_surname_the_article_gives_another_first_name_is_someone_it_does_not_name():
    """"Dean Cooper" where the article has only Mark Cooper: a first name the article never writes before
    the surname of one of its people; the same first name shortened, misspelt or cased otherwise is not."""
    table = extract_facts("Gateshead boss Mark Cooper has signed defenders Lee Collins and Callum Evans. "
                          "Briton Ennis-Hill won gold.")
    result = check_summary("striker dean cooper has joined gateshead.", table)
    assert [(c.name, c.verdict) for c in result.entity_claims] == [("dean cooper", "not_in_article")]
    assert result.entity_claims[0].reason == "the article's Cooper is 'Mark Cooper'; it never writes 'dean'"
    assert verdicts("Dean Cooper has joined Gateshead.", table) == {"Dean Cooper": "not_in_article", "Gateshead": "supported"}
    assert verdicts("Marc Cooper has signed Lee Collins.", table) == {"Marc Cooper": "supported", "Lee Collins": "supported"}
    assert verdicts("Mark Cooper signed Collins.", table) == {"Mark Cooper": "supported", "Collins": "supported"}
    # a demonym before a surname is no first name: the article never gives Ennis-Hill a first name
    assert verdicts("Jessica Ennis-Hill won gold.", table) == {"Jessica Ennis-Hill": "supported"}


def test_a_name_after_a_speech_verb_is_the_speaker_only_after_a_quote_or_comma():
    table = extract_facts("Jamie Carragher believes Brendan Rodgers is still the right man for Liverpool. "
                          "\u201cHe should lead the club forward after a season without trophies,\u201d said Carragher.")  # fmt: skip
    assert set(verdicts("Jamie Carragher says Brendan Rodgers should lead the club forward.", table).values()) == {"supported"}
    # after a quote the name is the speaker: here the article has Carragher say it
    said = verdicts("\u201cHe should lead the club forward after a season without trophies,\u201d said Brendan Rodgers.", table)
    assert said == {"Brendan Rodgers": "contradicted"}


def test_two_entities_with_one_surname_do_not_belie_each_other():
    table = extract_facts("Tourist Tim Weston took a photo of the crocodile. New Zealander Tim Weston was on holiday.")
    assert set(verdicts("Tim Weston took a photo of the crocodile.", table).values()) == {"supported"}


def test_a_body_speaks_through_its_spokesperson():
    table = extract_facts("White House press secretary Sean Spicer said the threats were unacceptable. "
                          "The Anti-Defamation League said hoax threats hit Jewish centres.")  # fmt: skip
    assert verdicts("Jewish centres were hit by hoax threats, the White House said.", table)["White House"] == "supported"
    assert verdicts("Jewish centres were hit by hoax threats, John Smith said.", table)["John Smith"] == "not_in_article"


def test_entity_kinds_of_of_names_and_institutions():
    result = check_summary("The White House praised the Isle of Wight.", extract_facts("Cowes is a town."))
    assert {c.name: c.entity_kind for c in result.entity_claims} == {"White House": "organisation", "Isle of Wight": "place"}


def test_index_round_trip_keeps_the_words_written_in_lower_case():
    table = extract_facts("Sam Burgess may sign. In May he will.")
    again = FactTable.from_dict(table.to_dict())
    assert "may" in again.entities.lower_case and again.entities.lower_case == table.entities.lower_case
    assert verdicts("sam burgess may sign.", again) == {"sam burgess": "supported"}


def test_a_capitalised_title_inside_a_run_splits_a_body_from_its_titled_person():
    text = ("Russian Foreign Minister Sergey Lavrov met US Secretary of State John Kerry. Bank of England Governor "
            "Mark Carney spoke. The Royal College of General Practitioners met.")  # fmt: skip
    names = [(n.text, n.titled) for n in read_names(text)]
    assert names == [("Russian", False), ("Sergey Lavrov", True), ("US", False), ("John Kerry", True),
                     ("Bank of England", False), ("Mark Carney", True), ("Royal College of General Practitioners", False)]  # fmt: skip
    table = table_for_document(load_document(SEED))
    claims = check_summary("Russian Foreign Minister Sergey Lavrov announced the suspension of talks.", table).entity_claims
    assert {c.name: c.verdict for c in claims} == {"Russian": "supported", "Sergey Lavrov": "contradicted"}


def test_a_lower_cased_summary_has_the_names_a_cased_lexicon_knows_read():
    """Words large cased corpora write only capitalised are names in lower case too (geneva, burgess), with the
    words many names share after them; countries and their peoples are left to the article's own casing."""
    table = extract_facts("The talks with Russia were suspended on Monday. The fans of Manchester City were angry, "
                          "the club said.")  # fmt: skip
    assert verdicts("talks were suspended in geneva on monday.", table) == {"geneva": "not_in_article"}
    assert verdicts("manchester city's fans were angry.", table) == {"manchester city": "supported"}
    assert verdicts("chelsea fans were angry.", table) == {"chelsea": "not_in_article"}
    assert verdicts("st helens fans were angry.", table) == {"st helens": "not_in_article"}
    result = check_summary("a row broke out over the isle of wight ferry.", table)
    assert [(c.name, c.verdict, c.entity_kind) for c in result.entity_claims] == [("isle of wight", "not_in_article", "place")]
    assert verdicts("the talks with russia were suspended in england.", table) == {"russia": "supported"}  # no 'england'
    assert verdicts("the bill may pass, the club said.", table) == {}  # words written in lower case as well


def test_capitalised_words_lexicon_is_names_only():
    from harness.facts.lowercase_names import capitalised_words

    words = capitalised_words()
    assert len(words) > 4000 and {"geneva", "burgess", "mourinho"} <= words
    assert not words & {"bill", "may", "the", "england", "russian", "london", "monday"}


def test_a_name_one_letter_off_a_word_of_a_lower_cased_article_is_that_word():
    table = extract_facts("tire changer todd phillips was hurt when he was struck by a car on sunday.")
    assert verdicts("phillip was taken to the infield care center.", table) == {"phillip": "supported"}


def test_a_rare_word_of_a_lower_cased_summary_is_a_name_the_article_lacks():
    """A word neither the article nor the common vocabulary writes is a rare name; inflections and compounds
    of common words are not, nor words the article writes with a closing quote or accents."""
    table = extract_facts("Judges found the fine neither 'extravagant or unconscionable'. Médecins Sans Frontières "
                          "and artist Jörg Düsterwald spoke in Hameln on Monday.")  # fmt: skip
    result = check_summary("talks were hosted in vrbnik on monday.", table)
    assert [(c.name, c.verdict) for c in result.entity_claims] == [("vrbnik", "not_in_article")]
    assert result.entity_claims[0].reason == "'vrbnik' is in neither the article nor the common vocabulary: a name the article does not have"
    assert verdicts("the fund trebled, the winless side's footballers were dismayed and a schoolgirl wept.", table) == {}
    assert verdicts("the fine was not unconscionable, judges said.", table) == {}
    assert "not_in_article" not in verdicts("medecins sans frontieres spoke on monday.", table).values()
    assert verdicts("artist jörg düsterwald spoke.", table) == {"jörg düsterwald": "supported"}
    # a capital that opens a sentence is no rare name ("Unconscionable" is plain English there); read as the
    # reader of capitals reads it, a subject before its verb is a name all the same
    assert verdicts("Unconscionable fines were paid on monday.", table) == {}
    assert verdicts("Vrbnik hosted the talks on monday.", table) == {"Vrbnik": "not_in_article"}


def test_a_summary_capitalised_only_at_sentence_starts_is_read_like_a_lower_cased_one():
    """QAGS's copies write "Manny pacquiao paid a visit to los angeles": capitals mark sentences, not names."""
    table = extract_facts("Ronda Rousey met Manny Pacquiao at her training camp in Los Angeles on Monday.")
    result = check_summary("Manny pacquiao paid a visit to the los angeles camp. Rousey met him in geneva.", table)
    assert [(c.name, c.verdict) for c in result.entity_claims] == [
        ("Manny pacquiao", "supported"), ("los angeles", "supported"), ("Rousey", "supported"), ("geneva", "not_in_article")]
    # a cased sentence with no name inside it reads so too; its opening name is read as from capitals
    assert verdicts("Tesco has admitted it sold the camp.", table) == {"Tesco": "not_in_article"}
    # one name capitalised mid-sentence makes a text cased: its names are read from capitals only
    assert verdicts("Manny Pacquiao paid a visit to the camp in geneva.", table) == {"Manny Pacquiao": "supported"}


def test_one_side_on_both_sides_of_a_contest_is_contradicted():
    table = extract_facts("Gloucester came from behind to beat Cardiff Blues 24-20 at Wembley Stadium on Saturday.")
    result = check_summary("Gloucester came from behind to beat Gloucester at Wembley Stadium.", table)
    assert [(c.name, c.verdict) for c in result.entity_claims] == [
        ("Gloucester", "supported"), ("Gloucester", "contradicted"), ("Wembley Stadium", "supported")]
    assert result.entity_claims[1].reason == (
        "the summary puts 'Gloucester' on both sides of one contest ('Gloucester … behind to beat Gloucester')")
    assert set(verdicts("gloucester came from behind to beat cardiff blues.", table).values()) == {"supported"}
    # two sentences, or a place named twice, are no contest with itself
    assert set(verdicts("Gloucester won. Cardiff Blues lost against Gloucester.", table).values()) == {"supported"}
    assert set(verdicts("A win at Wembley Stadium followed a defeat at Wembley Stadium.", table).values()) == {"supported"}
    # but a side goes by its place: a country or a city beaten by itself is a contest with itself
    table = extract_facts("Scotland moved top of the group with a 2-0 victory over Slovenia at Hampden Park.")
    assert verdicts("Scotland moved top with a victory over Scotland.", table) == {"Scotland": "contradicted"}
    assert set(verdicts("Hampden Park saw Scotland's win at Hampden Park.", table).values()) == {"supported"}
    assert set(verdicts("Slovenia held talks with Scotland over Scotland's role.", table).values()) == {"supported"}


def test_a_club_signing_a_player_from_itself_is_contradicted():
    table = extract_facts("Tranmere Rovers have signed midfielder Jason Mooney on a two-year deal following his release "
                          "by Wrexham. Tranmere Rovers boss Micky Mellon said Mooney was a fine player.")  # fmt: skip
    result = check_summary("tranmere rovers have signed jason mooney following his release by tranmere rovers.", table)
    assert [(c.name, c.verdict) for c in result.entity_claims] == [
        ("tranmere rovers", "supported"), ("jason mooney", "supported"), ("tranmere rovers", "contradicted")]
    assert result.entity_claims[2].reason == (
        "the summary has 'tranmere rovers' sign a player from itself ('tranmere rovers … his release by tranmere rovers')")
    assert verdicts("Tranmere Rovers have signed Wrexham midfielder Jason Mooney.", table) == {
        "Tranmere Rovers": "supported", "Wrexham": "supported", "Jason Mooney": "supported"}
    # re-signing a former player, or a club named as the signer's home, is no signing from itself
    assert "contradicted" not in verdicts("Tranmere Rovers have signed former Tranmere Rovers midfielder Jason Mooney.", table).values()
    assert "contradicted" not in verdicts("Tranmere Rovers boss Micky Mellon said Tranmere Rovers had signed Mooney.", table).values()


def test_a_name_listed_beside_itself_is_contradicted():
    table = extract_facts("England's Joe Root and Jonny Bairstow both scored centuries at Edgbaston.")
    result = check_summary("england's joe root and joe root both scored centuries.", table)
    assert [(c.name, c.verdict) for c in result.entity_claims] == [
        ("england", "supported"), ("joe root", "supported"), ("joe root", "contradicted")]
    assert result.entity_claims[2].reason == "the summary lists 'joe root' beside itself ('joe root and joe root'): one name for two"
    assert "contradicted" not in verdicts("Joe Root and Jonny Bairstow scored. Joe Root and the team celebrated.", table).values()
