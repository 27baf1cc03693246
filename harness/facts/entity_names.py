"""Word lists for reading named entities without a model: countries with their demonyms and capitals,
well-known aliases and acronyms, titles and honorifics, and words that are capitalised without naming.

Kept compact and general (no entry is taken from an evaluation example): a summary that says "Syrian"
or "Moscow" for an article's "Syria" or "Russia" names the same thing, and these tables say so.
"""

from __future__ import annotations

# country | demonyms (comma separated) | capital. The capital stands for its government in news
# ("Moscow said"), so it names the country as well as the city.
_COUNTRIES = """
afghanistan|afghan|kabul
albania|albanian|tirana
algeria|algerian|algiers
argentina|argentine,argentinian|buenos aires
armenia|armenian|yerevan
australia|australian|canberra
austria|austrian|vienna
azerbaijan|azerbaijani,azeri|baku
bahrain|bahraini|manama
bangladesh|bangladeshi|dhaka
belarus|belarusian|minsk
belgium|belgian|brussels
bolivia|bolivian|
bosnia|bosnian|sarajevo
brazil|brazilian|brasilia
bulgaria|bulgarian|sofia
cambodia|cambodian|phnom penh
cameroon|cameroonian|
canada|canadian|ottawa
chile|chilean|santiago
china|chinese|beijing
colombia|colombian|bogota
croatia|croatian,croat|zagreb
cuba|cuban|havana
cyprus|cypriot|nicosia
czech republic|czech|prague
denmark|danish,dane|copenhagen
egypt|egyptian|cairo
england|english|
estonia|estonian|tallinn
ethiopia|ethiopian|addis ababa
finland|finnish,finn|helsinki
france|french|paris
georgia|georgian|tbilisi
germany|german|berlin
ghana|ghanaian|accra
greece|greek|athens
hungary|hungarian|budapest
iceland|icelandic|reykjavik
india|indian|new delhi
indonesia|indonesian|jakarta
iran|iranian|tehran
iraq|iraqi|baghdad
ireland|irish|dublin
israel|israeli|jerusalem
italy|italian|rome
jamaica|jamaican|kingston
japan|japanese|tokyo
jordan|jordanian|amman
kenya|kenyan|nairobi
kosovo|kosovan,kosovar|pristina
kuwait|kuwaiti|
latvia|latvian|riga
lebanon|lebanese|beirut
libya|libyan|tripoli
lithuania|lithuanian|vilnius
malaysia|malaysian|kuala lumpur
mexico|mexican|mexico city
morocco|moroccan|rabat
myanmar|burmese|naypyidaw
nepal|nepalese,nepali|kathmandu
netherlands|dutch|amsterdam
new zealand|new zealander|wellington
nigeria|nigerian|abuja
north korea|north korean|pyongyang
northern ireland|northern irish|belfast
norway|norwegian|oslo
pakistan|pakistani|islamabad
palestine|palestinian|ramallah
peru|peruvian|lima
philippines|filipino,philippine|manila
poland|polish,pole|warsaw
portugal|portuguese|lisbon
qatar|qatari|doha
romania|romanian|bucharest
russia|russian|moscow
saudi arabia|saudi|riyadh
scotland|scottish,scot,scots|edinburgh
serbia|serbian,serb|belgrade
singapore|singaporean|
slovakia|slovak|bratislava
slovenia|slovenian|ljubljana
somalia|somali|mogadishu
south africa|south african|pretoria
south korea|south korean|seoul
spain|spanish,spaniard|madrid
sri lanka|sri lankan|colombo
sudan|sudanese|khartoum
sweden|swedish,swede|stockholm
switzerland|swiss|bern
syria|syrian|damascus
taiwan|taiwanese|taipei
thailand|thai|bangkok
tunisia|tunisian|tunis
turkey|turkish,turk|ankara
ukraine|ukrainian|kiev,kyiv
united kingdom|british,briton|london
united states|american|washington
uruguay|uruguayan|montevideo
venezuela|venezuelan|caracas
vietnam|vietnamese|hanoi
wales|welsh|cardiff
yemen|yemeni|sanaa
zimbabwe|zimbabwean|harare
andorra|andorran|andorra la vella
angola|angolan|luanda
bahamas|bahamian|nassau
barbados|barbadian,bajan|bridgetown
belize|belizean|belmopan
benin|beninese|porto-novo
bhutan|bhutanese|thimphu
botswana|botswanan|gaborone
brunei|bruneian|
burkina faso|burkinabe|ouagadougou
burundi|burundian|bujumbura,gitega
cape verde|cape verdean|praia
central african republic||bangui
chad|chadian|n'djamena
comoros|comoran|moroni
congo|congolese|brazzaville
democratic republic of congo||kinshasa
costa rica|costa rican|
djibouti|djiboutian|
dominican republic|dominican|santo domingo
east timor|timorese|dili
ecuador|ecuadorian|quito
el salvador|salvadoran,salvadorean|san salvador
equatorial guinea|equatoguinean|malabo
eritrea|eritrean|asmara
eswatini|swazi|mbabane
fiji|fijian|suva
gabon|gabonese|libreville
gambia|gambian|banjul
guatemala|guatemalan|guatemala city
guinea|guinean|conakry
guinea-bissau|bissau-guinean|
guyana|guyanese|
haiti|haitian|port-au-prince
honduras|honduran|tegucigalpa
ivory coast|ivorian|yamoussoukro,abidjan
kazakhstan|kazakh|astana
kyrgyzstan|kyrgyz|bishkek
laos|laotian|vientiane
lesotho|basotho|maseru
liberia|liberian|monrovia
liechtenstein||vaduz
luxembourg|luxembourgish|
madagascar|malagasy|antananarivo
malawi|malawian|lilongwe
maldives|maldivian|
mali|malian|bamako
malta|maltese|valletta
mauritania|mauritanian|nouakchott
mauritius|mauritian|port louis
moldova|moldovan|chisinau
monaco|monegasque|
mongolia|mongolian|ulaanbaatar
montenegro|montenegrin|podgorica
mozambique|mozambican|maputo
namibia|namibian|windhoek
nicaragua|nicaraguan|managua
niger|nigerien|niamey
north macedonia|macedonian|skopje
oman|omani|muscat
panama|panamanian|panama city
papua new guinea|papua new guinean|port moresby
paraguay|paraguayan|asuncion
rwanda|rwandan|kigali
samoa|samoan|apia
san marino|sammarinese|
senegal|senegalese|dakar
seychelles|seychellois|
sierra leone|sierra leonean|freetown
solomon islands||honiara
south sudan|south sudanese|juba
suriname|surinamese|paramaribo
tajikistan|tajik|dushanbe
tanzania|tanzanian|dodoma
togo|togolese|lome
tonga|tongan|
trinidad and tobago|trinidadian,tobagonian|port of spain
turkmenistan|turkmen|ashgabat
uganda|ugandan|kampala
united arab emirates|emirati|abu dhabi
uzbekistan|uzbek|tashkent
vatican||vatican city
zambia|zambian|lusaka
north america|north american|
south america|south american|
latin america|latin american|
middle east||
antarctica|antarctic|
europe|european|
africa|african|
asia|asian|
"""

# Other names of one thing (lower-cased, dots dropped): the canonical key comes last.
_ALIASES = """
us,usa,america,united states of america|united states
uk,britain,great britain|united kingdom
un|united nations
eu|european union
nato|north atlantic treaty organization
isis,isil,islamic state|islamic state
holland|netherlands
burma|myanmar
czechia|czech republic
swaziland|eswatini
macedonia|north macedonia
cote d'ivoire|ivory coast
drc,dr congo,congo-kinshasa|democratic republic of congo
uae|united arab emirates
tory,tories,conservatives,conservative party|conservative
labour party|labour
lib dems,lib dem,liberal democrat,liberal democrats|liberal democrats
snp,scottish national party|scottish national party
londonderry,derry|derry
"""

# Places inside a country that a summary may name the country by ("a woman in the US state of Utah" of an
# article that names Utah). One way only: "Utah" is in the United States, "Texas" is not Utah.
_PARTS = """
alabama,alaska,arizona,arkansas,california,colorado,connecticut,delaware,florida,hawaii,idaho,illinois,indiana,iowa,kansas,kentucky,louisiana,maine,maryland,massachusetts,michigan,minnesota,mississippi,missouri,montana,nebraska,nevada,new hampshire,new jersey,new mexico,new york,north carolina,north dakota,ohio,oklahoma,oregon,pennsylvania,rhode island,south carolina,south dakota,tennessee,texas,utah,vermont,virginia,west virginia,wisconsin,wyoming|united states
england,scotland,wales,northern ireland|united kingdom
ontario,quebec,british columbia,alberta,manitoba,saskatchewan,nova scotia,new brunswick,newfoundland|canada
new south wales,queensland,tasmania,western australia,south australia|australia
"""
PART_OF: dict[str, str] = {part: whole for line in _PARTS.strip().splitlines()
                           for parts, whole in [line.split("|")] for part in parts.split(",")}  # fmt: skip

COUNTRY_OF: dict[str, str] = {}  # "syrian" -> "syria", "moscow" -> "russia", "syria" -> "syria"
CAPITALS: set[str] = set()
for _line in _COUNTRIES.strip().splitlines():
    _country, _demonyms, _capitals = _line.split("|")
    COUNTRY_OF[_country] = _country
    for _name in filter(None, _demonyms.split(",")):
        COUNTRY_OF[_name] = _country
    for _name in filter(None, _capitals.split(",")):
        COUNTRY_OF[_name] = _country
        CAPITALS.add(_name)
COUNTRY_OF["scots"] = "scotland"

ALIAS_OF: dict[str, str] = {}
for _line in _ALIASES.strip().splitlines():
    _names, _canonical = _line.split("|")
    for _name in _names.split(","):
        ALIAS_OF[_name] = _canonical
    ALIAS_OF[_canonical] = _canonical

# Every word of a country's, people's, capital's, region's or alias's name ("new", "zealand", "england").
GEOGRAPHY_WORDS = frozenset(w for key in (*COUNTRY_OF, *COUNTRY_OF.values(), *ALIAS_OF, *PART_OF, *PART_OF.values())
                            for w in key.split())  # fmt: skip

# Titles and honorifics: stripped from the front of a name ("Secretary of State John Kerry" -> "John
# Kerry"); a span that is nothing but titles ("the President") names no one by itself.
TITLES = set(
    """mr mrs ms miss mx dr sir dame lord lady president vice prime minister secretary chancellor senator sen
    rep representative congressman congresswoman gov governor king queen prince princess pope general gen
    colonel col major captain capt lieutenant lt commander admiral judge justice professor prof rev reverend
    father sister brother sheikh ayatollah imam rabbi bishop archbishop cardinal mayor chief coach manager
    inspector sgt sergeant det detective officer constable pc mp mep assistant
    ambassador spokesman spokeswoman spokesperson attorney director chairman chairwoman chair ceo
    former late acting interim chief executive head boss striker midfielder defender goalkeeper keeper
    captain skipper star champion boxer singer actor actress rapper full-back fly-half scrum-half centre-back
    centre-half winger batsman bowler all-rounder jockey trainer""".split()
)
# Words that make a title only before another title ("Foreign Secretary", "Deputy Prime Minister").
TITLE_MODIFIERS = {"foreign", "home", "first", "deputy", "vice", "prime", "defence", "defense", "health", "state", "shadow"}

# Capitalised words that name nothing: pronouns, determiners, sentence adverbs, calendar words.
NOT_NAMES = set(
    """i i'm i've i'd i'll a an the this that these those he she it we they you his her its our their my your
    but and or so yet if when while after before as at by for from in into of on to with without
    there here then now however meanwhile also although though because since until despite during
    what who whom whose which where why how mr mrs ms dr
    monday tuesday wednesday thursday friday saturday sunday january february march april june july august
    september october november december jan feb mar apr jun jul aug sep sept oct nov dec
    today yesterday tomorrow tonight
    one two three four five six seven eight nine ten hundreds thousands millions
    yes no not please thanks ok okay oh everyone everybody someone somebody nobody anyone anybody many most
    several both all each another others none nothing something everything some few any such""".split()
)
MONTHS_AND_DAYS = set(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)

# Lower-case words allowed inside a name ("Secretary of State", "Bank of England", "Abu al-Baghdadi").
CONNECTORS = {"of", "de", "du", "da", "di", "van", "von", "der", "den", "la", "le", "al", "bin", "ibn", "for"}

# Last words that make a name an organisation; first-name-like spans with a title make a person.
ORGANISATION_WORDS = set(
    """council department ministry office agency committee commission union party club united city fc
    association federation university college school hospital court police army navy force forces front
    company corporation corp inc ltd plc group bank trust board authority service services institute
    foundation organisation organization league government parliament assembly congress senate
    church news times post guardian bbc network airlines airways town rovers rangers athletic wanderers
    albion hotspur thistle harriers house""".split()
)
# Place words that head many names ("Portman Road", "Loftus Road"): they make a name a place, and are
# among the words many names share (GENERIC_NAME_WORDS).
_PLACE_HEADS = set(
    """road street avenue lane square park stadium arena ground centre center hall palace bridge airport
    station harbour port river sea lake bay island islands mountain valley county province district
    region""".split()
)
# Last words that make a name a place ("Portman Road", "Aintree Racecourse", "Loch Ness").
PLACE_WORDS = _PLACE_HEADS | {"racecourse", "loch", "mountains", "village", "beach", "forest"}
# First words that make an "X of Y" name a place ("Isle of Wight", "Gulf of Mexico", "Bay of Biscay").
PLACE_FIRST_WORDS = {"isle", "isles", "island", "gulf", "bay", "lake", "mount", "cape", "strait", "straits", "sea", "county"}

# Words many names share ("Portman Road" and "Loftus Road", "Japan Open" and "US Open"): a name of which
# the article writes only these is not in the article.
GENERIC_NAME_WORDS = ORGANISATION_WORDS | _PLACE_HEADS | set(
    """house state north south east west northern southern eastern western central new old great
    national international royal world open masters cup championship championships trophy games award
    awards prize series tour league division premier grand war women men junior senior""".split()
)

# Past tenses that do not end in -ed: a name directly before one is that act's agent.
IRREGULAR_PAST = set(
    """won beat lost took made gave led met left sent sold bought hit struck shot held threw brought began
    came went ran fought caught chose drove fell found flew forgot froze got grew hid kept knew laid
    paid put quit rode rose saw sought set shook sank sat slept spent spoke stole stood swore swam taught
    tore thought understood woke wore withdrew broke""".split()
)
