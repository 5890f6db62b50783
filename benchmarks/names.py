"""Names, places and texts of a county in the centre of Romania (Romanian and Hungarian families)."""

# fmt: off
FAMILY_NAMES = (
    "Popescu", "Ionescu", "Pop", "Moldovan", "Mureșan", "Rus", "Dumitru", "Stan", "Constantin",
    "Matei", "Oprea", "Lazăr", "Toma", "Ardelean", "Crișan", "Sima", "Bălan", "Neagu", "Dragomir",
    "Ene", "Tudor", "Ciobanu", "Munteanu", "Gheorghiu", "Ștefănescu", "Țurcanu", "Vlad", "Bucur",
    "Kovács", "Szabó", "Nagy", "Tóth", "Farkas", "Molnár", "Kiss", "Balogh", "Fazakas", "Bartha",
    "Benedek", "Ferencz", "Major", "Kelemen", "Szász", "Gál", "Bíró", "Demeter", "Kocsis", "Orbán",
    "Lőrincz", "Sándor", "Fülöp", "Veres", "Antal", "Pál", "Józsa", "Mátyás",
)
GIRLS = (
    "Maria", "Ioana", "Elena", "Andreea", "Ana", "Alexandra", "Daria", "Sofia", "Bianca", "Irina",
    "Ștefania", "Teodora", "Anna", "Réka", "Eszter", "Kinga", "Zsófia", "Boglárka", "Emese", "Tünde",
)
BOYS = (
    "Andrei", "Mihai", "Alexandru", "Ștefan", "David", "Matei", "Luca", "Vlad", "Radu", "Tudor",
    "Gabriel", "Ionuț", "Bence", "Levente", "Botond", "Zoltán", "Csaba", "Márton", "Ákos", "Dávid",
)
CITIES = (
    "Sfântu Gheorghe", "Târgu Secuiesc", "Covasna", "Baraolt", "Întorsura Buzăului", "Sita Buzăului",
    "Zagon", "Ozun", "Reci", "Ghelința", "Turia", "Lemnia", "Brețcu", "Ojdula", "Catalina",
    "Cernat", "Sânzieni", "Moacșa", "Ilieni", "Chichiș", "Ghidfalău", "Arcuș", "Boroșneu Mare",
    "Dalnic", "Estelnic",
)
STREETS = (
    "Strada Gábor Áron", "Strada Libertății", "Strada Școlii", "Strada Mihai Viteazul",
    "Strada Kossuth Lajos", "Strada Florilor", "Strada Morii", "Strada Teilor", "Piața Mare",
    "Strada Fabricilor", "Strada Bisericii", "Strada Avram Iancu",
)
SCHOOLS = (
    "Școala Gimnazială nr. 1", "Școala Gimnazială nr. 2", "Școala Gimnazială „Petőfi Sándor”",
    "Școala Gimnazială „Kós Károly”", "Liceul Teoretic „Mikes Kelemen”", "Școala Gimnazială „Avram Iancu”",
)
GRADES = ("I", "a II-a", "a III-a", "a IV-a", "a V-a", "a VI-a", "a VII-a", "a VIII-a")
ALLERGIES = ("arahide", "lactoză", "gluten", "ouă", "alune", "țelină")
GROUP_NAMES = ("Clasele I–II", "Clasele III–IV", "Clasele V–VI", "Clasele VII–VIII", "Grupa mixtă")
EXIT_REASONS = (
    "Familia s-a mutat în altă localitate",
    "A absolvit clasa a VIII-a",
    "La cererea părinților",
    "Obiectivele planului de servicii au fost atinse",
)
LUNCHES = (
    ("Ciorbă de perișoare, piure cu pulpe de pui la cuptor", "gluten, ouă, țelină"),
    ("Supă de legume, tocăniță de cartofi cu salată de varză", "țelină"),
    ("Ciorbă de fasole, paste cu sos de roșii și brânză", "gluten, lactoză"),
    ("Supă cremă de dovleac, orez cu legume și piept de curcan", "lactoză"),
    ("Gulyásleves, galuște cu brânză dulce", "gluten, ouă, lactoză"),
)
SESSION_NOTES = (
    "Au discutat regulile de acasă și timpul petrecut pe telefon.",
    "Informare despre alocația de susținere și actele necesare; s-a programat vizita la SPAS.",
    "Az anya kérte, hogy a következő alkalmat magyarul tartsuk.",
    "Mama relatează progrese în comunicarea cu fiul cel mare.",
    "S-a lucrat pe gestionarea emoțiilor; temă pentru acasă: jurnalul serilor.",
)
WORKSHOP_TITLES = (
    "Părinți eficienți", "Disciplina pozitivă", "Comunicarea în familie", "Pregătirea pentru școală",
    "Siguranța online a copiilor", "Szülői műhely: érzelmek", "Viitori părinți",
)
ACTIVITY_TITLES = (
    "Ajutor la teme", "Atelier de lucru manual", "Jocuri în curte", "Servirea mesei",
    "Cerc de lectură", "Ora de calculator",
)
CASE_REPORTS = (
    "Absențe repetate de la școală și lipsa supravegherii după-amiaza.",
    "Familia a rămas fără locuință după evacuare.",
    "Părinții sunt plecați la muncă în străinătate; copiii stau cu bunica.",
    "Conflicte în familie semnalate de vecini.",
)
# fmt: on
