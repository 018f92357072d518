"""Name lists: forenames by sex and birth era, surnames by origin, nicknames and variants.

Lists are in descending order of popularity (after published national name-frequency
tables in spirit, not copied counts); ``names.py`` turns the order into Zipf-like weights
so a few names are very common, as in a real city. No list holds a real person: names
are only ever combined at random.
"""

from __future__ import annotations

# Birth-year eras for English forenames: (last birth year in the era, era key).
ERAS = ((1959, "e1"), (1979, "e2"), (1994, "e3"), (2007, "e4"), (9999, "e5"))

ENGLISH_FORENAMES: dict[tuple[str, str], str] = {
    ("F", "e1"): """Margaret Patricia Susan Christine Linda Janet Elizabeth Carol Mary Barbara
        Jean Sandra Pauline Jennifer Ann Valerie Kathleen Maureen Irene Dorothy Joan Brenda
        Sheila Shirley Elaine Gillian Jacqueline Diane Marion Anne Doreen Betty Eileen Joyce
        Pamela Rita Hilda Sylvia Marjorie Vera Lesley Denise Beryl Josephine Frances""",
    ("M", "e1"): """John David Michael Peter Robert Anthony Brian Alan William James Richard
        Kenneth Roger Keith Colin Christopher Raymond Terence Barry Geoffrey Dennis Ronald
        Malcolm Derek Graham Trevor Stephen George Frederick Leslie Roy Thomas Eric Patrick
        Francis Arthur Gordon Harold Norman Stanley Bernard Gerald Edward Douglas""",
    ("F", "e2"): """Sarah Claire Nicola Lisa Joanne Michelle Helen Karen Julie Tracey Amanda
        Susan Deborah Jacqueline Alison Elizabeth Angela Dawn Emma Caroline Louise Rachel
        Kelly Catherine Samantha Jane Sharon Wendy Andrea Diane Gillian Paula Suzanne Lynn
        Donna Victoria Mandy Kerry Lorraine Joanna Debbie Katherine Tina Beverley""",
    ("M", "e2"): """David Paul Andrew Mark John Michael Stephen Ian Robert Richard Christopher
        Peter Simon Anthony Kevin Gary Steven Martin James Philip Alan Neil Nigel Timothy
        Colin Graham Jonathan Nicholas Keith Darren Lee Stuart Carl Sean Brian Barry Terence
        Trevor Dean Wayne Shaun Jason Russell Adrian""",
    ("F", "e3"): """Sarah Laura Gemma Emma Rebecca Claire Victoria Samantha Rachel Amy Jennifer
        Nicola Charlotte Hayley Lisa Kelly Stacey Katie Natalie Louise Michelle Zoe Joanne
        Danielle Jessica Lauren Kirsty Leanne Amanda Donna Hannah Stephanie Lindsey Jade
        Catherine Helen Kerry Sophie Carly Lucy Kimberley Jodie Siân Zoë Renée""",
    ("M", "e3"): """Christopher James David Daniel Michael Matthew Andrew Richard Paul Mark
        Thomas Adam Robert John Lee Benjamin Steven Jonathan Craig Stephen Simon Nicholas
        Peter Anthony Alexander Gary Ian Ryan Luke Jamie Stuart Philip Darren William Carl
        Scott Martin Shaun Jason Kevin Liam Gareth Dean Seán""",
    ("F", "e4"): """Chloe Emily Megan Jessica Sophie Lauren Charlotte Hannah Olivia Rebecca Amy
        Ellie Lucy Bethany Georgia Katie Emma Holly Abigail Jade Courtney Shannon Paige Leah
        Molly Grace Amber Danielle Samantha Rachel Laura Jasmine Eleanor Caitlin Niamh Zoe
        Sarah Jodie Kayleigh Chelsea Chloë Zoë Siân Demi Keira""",
    ("M", "e4"): """Jack Thomas Joshua James Daniel Samuel Oliver William Benjamin Joseph Harry
        Matthew Lewis Ethan Luke Charlie George Callum Alexander Mohammed Jake Ryan Adam Liam
        Connor Kieran Jordan Nathan Bradley Jamie Aaron Dylan Michael Tyler Reece Cameron
        Kyle Owen Ben Alex Declan Louis Ciarán Kian""",
    ("F", "e5"): """Olivia Amelia Isla Ava Mia Lily Isabella Sophia Grace Emily Poppy Ella Freya
        Evie Charlotte Sophie Jessica Florence Willow Ivy Evelyn Harper Daisy Sienna Alice
        Phoebe Ruby Millie Rosie Matilda Isabelle Elsie Layla Maya Chloe Lola Erin Holly
        Scarlett Hallie Esme Lucy Emma Eliza Aria Luna Margot Maisie Bonnie Violet Thea Lottie
        Zoë Chloë Renée""",
    ("M", "e5"): """Oliver Noah George Muhammad Leo Arthur Harry Oscar Archie Henry Jack Theodore
        Freddie Charlie Theo Jacob Alfie Thomas Finley Isaac Lucas Teddy William Joshua James
        Ethan Max Logan Mason Edward Tommy Albie Reggie Jude Roman Ronnie Hugo Louie Alexander
        Riley Harrison Elijah Samuel Daniel Dylan Jaxon Tyler Jake Harvey Liam Kai Leon""",
}

#: Forenames by origin group (sex, group) -> names, most popular first.
ORIGIN_FORENAMES: dict[tuple[str, str], str] = {
    ("M", "irish"): """Patrick Seán Ciarán Conor Liam Declan Niall Eoin Cian Oisín Darragh Rory
        Fionn Tadhg Cillian Ronan Shane Eamon Kevin Brendan""",
    ("F", "irish"): """Niamh Aoife Siobhán Róisín Saoirse Ciara Orla Caoimhe Aisling Sinéad Clodagh
        Éabha Sorcha Gráinne Bríd Maeve Órla Nuala Deirdre Mairéad""",
    (
        "M",
        "south_asian",
    ): """Muhammad Mohammed Ali Ibrahim Yusuf Ayaan Zayn Hamza Omar Abdullah Rayyan
        Adam Imran Tariq Asif Shahid Kamran Farhan Arjun Rohan Rahul Sanjay Vikram Harjit
        Gurpreet Amir Bilal Usman Zain Haris Aryan Saif""",
    ("F", "south_asian"): """Aisha Fatima Maryam Zainab Hafsa Amira Inaaya Anaya Aaliyah Noor Sana
        Ayesha Nadia Samina Shabana Priya Anjali Simran Jaspreet Naila Rukhsana Farzana
        Tahmina Nusrat Sumaiya Hana Mariam Safiya Yasmin Alisha""",
    ("M", "african"): """Daniel David Emmanuel Samuel Joshua Michael Abdi Mohamed Ahmed Chidi Tobi
        Tunde Kwame Kofi Femi Ayo Oluwaseun Chinedu Jamal Abdullahi Ibrahim Yusuf Isaac
        Gabriel Elijah Kelechi Segun Yaw Musa Idris""",
    ("F", "african"): """Grace Blessing Favour Esther Precious Deborah Faith Mercy Amina Hodan
        Fartun Ayan Halima Adaeze Chiamaka Tolu Temi Zainab Ruth Sarah Abena Ngozi Funmi
        Yetunde Hawa Ifeoma Nneka Ama Khadija Ebun""",
    ("M", "caribbean"): """Jordan Tyrone Marcus Andre Jerome Leon Dwayne Nathaniel Kareem Isaiah
        Malachi Joel Darnell Reuben Elijah Trevor Winston Clive Delroy Errol""",
    ("F", "caribbean"): """Jasmine Aaliyah Shanice Tanisha Kiara Monique Chantelle Jada Imani Nia
        Naomi Keisha Marcia Paulette Sonia Janice Beverley Yvonne Simone Jennelle""",
    ("M", "chinese"): """Wei Jun Ming Hao Kevin Tony Jason Michael Daniel Yi Ka Chun Jian Lei
        Tao Bo Kai Eric Alan Peter""",
    ("F", "chinese"): """Mei Ling Yan Jia Hui Xin Jenny Grace Emily Li Ying Qing Fang Lily Amy
        Sandy Joyce Winnie Cindy Michelle""",
    ("M", "east_european"): """Jakub Kacper Szymon Filip Mateusz Michał Łukasz Tomasz Piotr Paweł
        Andrei Alexandru Mihai Bogdan Marius Darius Lukas Matas Jonas Krzysztof Marek Adrian
        Ștefan Dawid""",
    ("F", "east_european"): """Zuzanna Julia Maja Zofia Hanna Lena Oliwia Natalia Aleksandra
        Małgorzata Agnieszka Katarzyna Ioana Elena Maria Andreea Gabriela Daria Emilija
        Karolina Monika Joanna Magdalena Wiktoria""",
    ("M", "middle_eastern"): """Omar Ahmed Mohammed Karim Hassan Ali Yusuf Khalid Ammar Rami Samir
        Tariq Mustafa Hussein Ziad Bashir Nabil Adnan Fadi Jamil""",
    ("F", "middle_eastern"): """Layla Yasmin Rania Noor Fatima Mariam Hiba Lina Dina Sara Reem
        Zahra Huda Amal Nour Salma Leila Dalia Rasha Shirin""",
    ("M", "traveller"): """John Patrick Michael Thomas James Martin Joseph William Johnny Paddy""",
    ("F", "traveller"): """Mary Margaret Bridget Kathleen Ellen Nora Annie Teresa Shannon Kelly""",
}

#: Surnames by origin group, most common first.
SURNAMES: dict[str, str] = {
    "english": """Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts
        Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke
        Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison
        Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths
        Mitchell Cook Carter Richardson Bailey Collins Bell Shaw Miller Cox Richards
        Marshall Anderson Simpson Ellis Adams Wilkinson Foster Chapman Powell Webb Rogers
        Gray Mason Hunt Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell
        Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham Pearson Fletcher
        Walsh Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford
        Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball
        Burton Hopkins Jordan Hart Armstrong Ryan Rose Berry Wells Lane Gardner Jennings
        Hayes Perry Hudson Marsh Knowles Hargreaves Whittaker Ashton Heywood Kershaw Crompton
        Pilkington Halliwell Rimmer Gorst Maher Corrie""",
    "irish": """Murphy Kelly O'Brien Doyle Byrne Ryan McCarthy Gallagher O'Neill Quinn Duffy
        Brennan Flynn Connolly Dunne Fitzgerald McDonald O'Connor O'Sullivan Kennedy Lynch
        Reilly Nolan Carroll Moran Farrell Molloy Hogan McGuinness Keegan Maguire Donnelly
        Callaghan Cassidy Devlin""",
    "south_asian": """Khan Ahmed Ali Hussain Begum Shah Patel Singh Kaur Akhtar Iqbal Mahmood
        Rahman Islam Uddin Miah Choudhury Malik Bibi Aslam Kumar Sharma Gill Sandhu
        Chowdhury Haque Javed Nawaz Rashid Qureshi D'Souza""",
    "african": """Okafor Adeyemi Mensah Osei Boateng Okonkwo Adebayo Oladipo Mohamed Ahmed Hassan
        Abdi Ali Yusuf Ibrahim Mohamud Nwosu Eze Asante Owusu Ogunleye Bello Musa Danso
        Kamara Conteh Bangura Sesay Adjei Appiah""",
    "caribbean": """Campbell Williams Brown Johnson Clarke Thomas Francis Henry Grant Reid Lewis
        Samuels Thompson Morgan Bailey Robinson Edwards Gordon Stewart Richards""",
    "chinese": """Li Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou Wong Chan Cheung Lam Lee Ng Lin
        Tang Ho Leung""",
    "east_european": """Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński
        Szymański Popescu Ionescu Popa Stan Dumitru Kazlauskas Petrauskas Horvath Novak
        Nagy Mazur Krawczyk Jankowski""",
    "middle_eastern": """Hassan Ahmadi Karimi Mohammadi Rahimi Abdullah Saleh Al-Sayed Haddad
        Mansour Nasser Khalil Aziz Hamid Farah Salem Darwish Jaber Kurdi Yousef""",
    "traveller": """Ward Connors McDonagh Doherty Joyce Maughan Price Boswell Lee Smith""",
}

#: Pieces of the long tail of English surnames (Ashworth, Blackburn, Whitfield...).
SURNAME_STEMS = """Ash Black Brad Brook Bur Cal Clay Cross Dal Dun Elm Fair Fen Green Hal Ham Hart
    Haw Heath Hol Holt Hor Kirk Lang Lin Mar Mid Mor Nor Old Pen Rad Red Rock Rom Ros Rud Sal
    Shel Stan Stock Sut Thorn Tod War Wat Wed West Whit Wil Win Wood Wor Yard""".split()
SURNAME_ENDINGS = """worth burn field ley ton by ham wood ford well ridge dale stone croft
    hurst shaw cliffe man wick more bury er ings""".split()

#: How the city's ethnic mix maps to name origins: DfE code -> (share, origin group).
ETHNICITY_MIX: tuple[tuple[str, float, str], ...] = (
    ("WBRI", 0.700, "english"),
    ("WIRI", 0.018, "irish"),
    ("WIRT", 0.002, "traveller"),
    ("WROM", 0.003, "east_european"),
    ("WOTH", 0.040, "east_european"),
    ("MWBC", 0.016, "english"),
    ("MWBA", 0.008, "english"),
    ("MWAS", 0.008, "english"),
    ("MOTH", 0.014, "english"),
    ("AIND", 0.012, "south_asian"),
    ("APKN", 0.020, "south_asian"),
    ("ABAN", 0.012, "south_asian"),
    ("AOTH", 0.010, "south_asian"),
    ("BAFR", 0.040, "african"),
    ("BCRB", 0.008, "caribbean"),
    ("BOTH", 0.006, "african"),
    ("CHNE", 0.020, "chinese"),
    ("OOTH", 0.030, "middle_eastern"),
    ("REFU", 0.008, "english"),
    ("NOBT", 0.005, "english"),
)

#: Formal forename -> nicknames and short forms people are known by.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Bobby", "Rob", "Robbie"),
    "William": ("Will", "Bill", "Billy", "Liam"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "Thomas": ("Tom", "Tommy"),
    "Joseph": ("Joe", "Joey"),
    "Daniel": ("Dan", "Danny"),
    "Michael": ("Mike", "Mick", "Micky"),
    "Christopher": ("Chris", "Kit"),
    "Matthew": ("Matt",),
    "Benjamin": ("Ben", "Benny"),
    "Samuel": ("Sam", "Sammy"),
    "Alexander": ("Alex", "Xander"),
    "Nicholas": ("Nick", "Nicky"),
    "Anthony": ("Tony", "Ant"),
    "Stephen": ("Steve", "Stevie"),
    "Steven": ("Steve", "Stevie"),
    "Richard": ("Rick", "Ricky", "Richie"),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Jonathan": ("Jon", "Jonny"),
    "Joshua": ("Josh",),
    "Andrew": ("Andy", "Drew"),
    "David": ("Dave", "Davey"),
    "Peter": ("Pete",),
    "Charles": ("Charlie", "Chas"),
    "Henry": ("Harry", "Hal"),
    "Frederick": ("Fred", "Freddie"),
    "Alfred": ("Alf", "Alfie"),
    "Theodore": ("Theo", "Teddy"),
    "Oliver": ("Ollie",),
    "Kenneth": ("Ken", "Kenny"),
    "Ronald": ("Ron", "Ronnie"),
    "Terence": ("Terry",),
    "Raymond": ("Ray",),
    "Patrick": ("Pat", "Paddy"),
    "Francis": ("Frank",),
    "Nathan": ("Nate",),
    "Callum": ("Cal",),
    "Bradley": ("Brad",),
    "Cameron": ("Cam",),
    "Gareth": ("Gaz",),
    "Mohammed": ("Mo",),
    "Muhammad": ("Mo",),
    "Elizabeth": ("Liz", "Lizzie", "Beth", "Betty", "Eliza"),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "Catherine": ("Kate", "Katie", "Cathy"),
    "Katherine": ("Kate", "Katie", "Kathy"),
    "Rebecca": ("Becky", "Becca"),
    "Jennifer": ("Jen", "Jenny"),
    "Samantha": ("Sam", "Sammy"),
    "Victoria": ("Vicky", "Tori"),
    "Jessica": ("Jess", "Jessie"),
    "Charlotte": ("Charlie", "Lottie"),
    "Abigail": ("Abbie", "Abby"),
    "Natalie": ("Nat",),
    "Amelia": ("Millie", "Amy"),
    "Isabella": ("Bella", "Izzy"),
    "Isabelle": ("Izzy", "Issy"),
    "Olivia": ("Liv", "Livvy"),
    "Eleanor": ("Ellie", "Nell"),
    "Florence": ("Flo", "Florrie"),
    "Josephine": ("Jo", "Josie"),
    "Joanne": ("Jo",),
    "Susan": ("Sue", "Suzy"),
    "Patricia": ("Pat", "Trish"),
    "Christine": ("Chris", "Chrissie"),
    "Deborah": ("Debbie", "Debs"),
    "Jacqueline": ("Jackie",),
    "Pamela": ("Pam",),
    "Kimberley": ("Kim",),
    "Stephanie": ("Steph",),
    "Danielle": ("Dani",),
    "Gemma": ("Gem",),
    "Nicola": ("Nicky", "Nic"),
    "Matilda": ("Tilly",),
    "Evelyn": ("Evie",),
    "Emily": ("Em", "Emmy"),
    "Megan": ("Meg",),
    "Alexandra": ("Alex", "Lexi"),
    "Hannah": ("Han",),
    "Lauren": ("Loz",),
    "Sophie": ("Soph",),
    "Sophia": ("Sophie",),
    "Gabriella": ("Gabby",),
    "Aleksandra": ("Ola",),
    "Katarzyna": ("Kasia",),
    "Małgorzata": ("Gosia",),
    "Krzysztof": ("Krzys",),
    "Oluwaseun": ("Seun",),
}

#: Spellings a clerk may write for the same name (a typo that is still a real name).
VARIANT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Smith": ("Smyth", "Smithe"),
    "Jon": ("John",),
    "John": ("Jon",),
    "Stephen": ("Steven",),
    "Steven": ("Stephen",),
    "Catherine": ("Katherine", "Kathryn"),
    "Katherine": ("Catherine",),
    "Mohammed": ("Muhammad", "Mohammad", "Mohamed"),
    "Muhammad": ("Mohammed", "Muhammed"),
    "Sian": ("Shaun",),
    "Zoe": ("Zoey",),
    "Chloe": ("Cloe",),
    "Davies": ("Davis",),
    "Davis": ("Davies",),
    "Thompson": ("Thomson",),
    "Philip": ("Phillip",),
    "Isabelle": ("Isabel", "Isobel"),
    "Leah": ("Lea",),
    "Macdonald": ("McDonald",),
    "McDonald": ("MacDonald",),
    "Clarke": ("Clark",),
    "Clark": ("Clarke",),
    "Reilly": ("Riley",),
    "Hussain": ("Hussein",),
    "Begum": ("Begam",),
    "Brown": ("Browne",),
    "Kayleigh": ("Kayley", "Kaylee"),
    "Aaliyah": ("Aliyah",),
    "Jayden": ("Jaden",),
}

#: Pairs of similar names parents give twins (a hard case for linkage).
TWIN_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "M": (
        ("Jack", "Jake"),
        ("Harry", "Harvey"),
        ("Ethan", "Evan"),
        ("Leo", "Leon"),
        ("Alfie", "Archie"),
        ("Lewis", "Louis"),
        ("Kyle", "Kai"),
        ("Riley", "Ryan"),
    ),
    "F": (
        ("Ella", "Emma"),
        ("Lily", "Lola"),
        ("Mia", "Maya"),
        ("Amelia", "Amelie"),
        ("Ruby", "Rosie"),
        ("Isla", "Isabel"),
        ("Ellie", "Elsie"),
        ("Grace", "Gracie"),
    ),
}

#: Fictional staff names for early help lead practitioners (forename initial + surname).
PRACTITIONER_SURNAMES = """Ashby Brindle Carvell Dunmore Eastham Fenwick Galloway Hensby Ingram
    Jessop Kettering Lathom Maddox Nettleton Orrell Pemberton Quayle Rushworth Sowerby Tarrant
    Underhill Vickery Whalley Yeadon""".split()
