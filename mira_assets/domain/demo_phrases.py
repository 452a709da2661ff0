"""Word pools the realistic demo day (demo_realistic.py) composes its texts from. Framework-free.

Each text is one template filled from several pools, so 20,000 memories are nearly all different sentences
(the technical template alone has over a million combinations) while staying plausible English that a
sentence model embeds like real notes: similar topics land near each other, unrelated ones apart.
"""

from __future__ import annotations

TECH_VERBS = (
    "Debugged", "Tracked down", "Fixed", "Investigated", "Profiled", "Reproduced", "Documented",
    "Reviewed a fix for", "Wrote a regression test for", "Benchmarked", "Refactored around", "Explained",
    "Paired with the user on", "Rolled back the change behind",
)
TECH_PROBLEMS = (
    "a race condition", "a memory leak", "a slow SQL query", "a flaky integration test", "a deadlock",
    "an off-by-one error", "a timezone bug", "a cache stampede", "a broken schema migration",
    "an N+1 query pattern", "a TLS handshake failure", "a stack overflow", "unbounded queue growth",
    "silent data truncation", "a stale DNS entry", "an aggressive retry policy", "a Unicode normalisation bug",
    "a missing database index", "an expired certificate", "a build that only failed on ARM",
)
SYSTEMS = (
    "billing service", "search indexer", "mobile app", "nightly ETL job", "payment gateway",
    "recommendation engine", "image pipeline", "auth proxy", "Kafka consumer", "GraphQL API",
    "feature-flag service", "warehouse loader", "chat backend", "CI runner", "metrics exporter", "job scheduler",
    "PDF renderer", "embedding service", "vector store", "email worker",
)
TECH_WHEN = (
    "before lunch", "late at night", "during the incident call", "after the morning deploy",
    "on the second attempt", "with the user watching", "while the test suite ran", "over two long sessions",
    "right before the release", "in a quiet hour",
)
TECH_FINDINGS = (
    "the locks were taken in two different orders", "a cache key ignored the tenant id",
    "the retry loop never backed off", "a timeout of zero meant waiting forever",
    "the connection pool was smaller than the worker count", "a goroutine kept a reference to every request",
    "the date was parsed in local time instead of UTC", "two replicas raced to run the same migration",
    "the query planner chose a sequential scan after the statistics went stale",
    "an exception was swallowed inside a background thread", "the buffer was copied on every append",
    "a feature flag defaulted to on in production", "the health check passed before the service was ready",
    "a batch size of one turned a bulk insert into ten thousand round trips",
    "the log level was left at debug and filled the disk", "the test depended on dictionary order",
    "a float was compared for exact equality", "the client retried non-idempotent requests",
    "the certificate chain lacked an intermediate", "an environment variable was read at import time",
)

SPEND_TIMES = (
    "the morning", "an hour", "the evening", "twenty minutes", "most of the afternoon", "a slow hour",
    "the lunch break", "half the day", "a long while", "the early morning",
)
ACTIVITIES = (
    "sketching", "reading a novel", "playing the piano", "cycling", "swimming laps", "baking rye bread",
    "repotting plants", "learning Italian vocabulary", "practising calligraphy", "running intervals",
    "knitting a scarf", "photographing birds", "writing letters", "cooking a lentil curry", "doing yoga",
    "fixing a squeaky door", "sorting old photos", "listening to a jazz record", "playing chess online",
    "painting with watercolours", "reading about black holes", "tuning the guitar", "building a birdhouse",
    "walking the dog", "learning a folk song", "making pasta by hand", "studying star charts",
    "watching a documentary on octopuses", "planting tulip bulbs", "rearranging the bookshelf",
)
PLACES = (
    "by the river", "at the library", "on the balcony", "in the old town", "at the climbing gym",
    "in the park", "at the kitchen table", "on the night train", "at the lake", "in a small cafe",
    "at my sister's flat", "in the garden", "on the rooftop", "at the community centre", "in the forest",
    "at the harbour", "in the museum courtyard", "at the market", "in the mountains", "on the beach",
)
DETAILS = (
    "it rained the whole time and nobody minded", "a stranger recommended a book I had never heard of",
    "the light turned gold just before sunset", "I lost track of time completely",
    "it was harder than it looked but I kept going", "a child asked what I was doing and then joined in",
    "the result was imperfect and still made me happy", "I finally understood why the beginners' rule exists",
    "an old song came on and brought back a summer", "the quiet was exactly what the week needed",
    "I made the same mistake three times and laughed at the fourth", "a neighbour shared figs from her tree",
    "the wind made everything twice as hard", "I noticed details I had walked past for years",
    "my hands remembered more than my head did", "it felt like practice for something bigger",
    "I wrote down one idea worth keeping", "the place smelled of pine and coffee",
    "someone played an accordion in the distance", "I ended up talking with an old friend for an hour",
    "a heron watched me the whole time", "I took too many photos and kept only one",
    "everything took twice as long as planned", "I left with more questions than answers",
    "it was the calmest moment of the week",
)

TALK_TOPICS = (
    "how to structure a thesis", "whether to learn Rust or Go first", "a job interview next week",
    "planning a trip to Lisbon", "how sleep affects memory", "the history of the printing press",
    "how vaccines train the immune system", "a difficult conversation with a manager", "saving for a house",
    "how transformers attend to tokens", "why the sky is blue", "composting on a balcony",
    "the ethics of remembering everything", "writing a wedding speech", "starting to run at forty",
    "how to read a scientific paper", "moving to a new city", "the rules of cricket",
    "how compound interest works", "choosing a first telescope", "raising a stubborn puppy",
    "how noise-cancelling headphones work", "learning to draw faces", "the causes of inflation",
    "how bees find their way home", "organising a small conference", "how databases keep data durable",
    "writing a short story about a lighthouse", "meditation for beginners", "why bread goes stale",
    "the difference between weather and climate", "how to give kind feedback", "repairing a bicycle chain",
    "the first moon landing", "how GPS knows where you are", "the grammar of Japanese particles",
    "what makes a good password", "how memory palaces work", "building a habit that sticks",
    "how tides follow the moon",
)
TALK_OUTCOMES = (
    "we made a checklist together", "the user decided to sleep on it", "we found a simpler plan",
    "it ended with a joke about penguins", "the user said it finally made sense", "we agreed to revisit it tomorrow",
    "I suggested three sources and the user picked one", "the user shared a photo of the result",
    "we drew a small diagram in text", "the user disagreed and had a good point",
    "we wrote the first paragraph together", "the user asked for a shorter version",
    "I admitted I was not sure and we looked it up", "the user thanked me twice",
    "we broke it into ten-minute steps", "it turned into a long tangent about history",
    "the user felt calmer at the end", "we made a list of questions for an expert",
    "the user corrected one of my facts", "we set a reminder for next week",
)
TALK_MOODS = (
    "They seemed relieved.", "They were in a hurry.", "It was a playful exchange.", "They sounded tired.",
    "They were very curious.", "It felt like a real collaboration.", "They were anxious at first.",
    "They kept asking why.", "It was a slow, thoughtful talk.", "They were excited about it.",
    "", "", "",
)

CHANNELS = ("on the web", "by voice", "in the terminal", "on the phone", "late in the chat")
ARTIFACTS = (
    "a poem about lighthouses", "a board game about migrating birds", "a bedtime story with a brave snail",
    "a recipe for a rainy-day soup", "the outline of a science-fiction novella", "a melody for a lullaby",
    "a training plan for a 10k run", "a logo idea for a bakery", "a crossword about astronomy",
    "a letter to a future self", "a haiku sequence about the seasons", "a puzzle with mirrored tiles",
    "a small language for knitting patterns", "a map of an imaginary island", "a quiz about octopuses",
    "a garden layout for a balcony", "a comic strip about a robot librarian", "a toast for a retirement party",
    "a study schedule for exams", "a riddle about time",
)
CO_DETAILS = (
    "the user sketched it and I filled in the rules", "we alternated lines until the end surprised us",
    "the best idea came from a typo", "we threw away the first draft and the second was better",
    "the user named every character", "we argued happily about one word for ten minutes",
    "it started as a joke and became something real", "I proposed the structure and the user broke it well",
    "we kept only the parts we both liked", "the last line came to the user in the shower",
    "we tested it on a friend who laughed in the right place", "the user drew the pictures by hand",
    "it took five rounds to get the rhythm right", "we borrowed a trick from an old folk tale",
    "the user wants to print it and frame it", "I learned a new word from the user",
    "we made it rhyme and then unmade the rhymes", "the idea grew out of yesterday's conversation",
    "the ending is still open on purpose", "the user read it aloud and we changed two lines",
)

LEARN_FIELDS = (
    "hierarchical temporal memory", "sparse distributed representations", "the Calvin cycle",
    "surface codes for quantum error correction", "the history of the Silk Road", "how sourdough starters work",
    "plate tectonics", "the Byzantine generals problem", "the physics of bicycles", "mycorrhizal networks",
    "Bayesian inference", "the origins of writing", "how vaccines are tested", "the life of honeybees",
    "the mathematics of music scales", "CRDTs for collaborative editing", "how glaciers move",
    "the immune memory of T cells", "the Fourier transform", "the structure of Japanese verbs",
)
LEARN_SOURCES = (
    "in a long article", "in a textbook chapter", "in a lecture recording", "in an old paper", "on a podcast",
    "in the user's notes", "in a survey paper", "in a children's book", "in a museum leaflet", "in a blog post",
)
LEARN_REACTIONS = (
    "and it connected to something I noticed last week", "and wrote a short summary for later",
    "and I want to explain it to the user tomorrow", "and one detail surprised me",
    "and it changed how I think about memory", "but the second half was hard to follow",
    "and made a small example to check my understanding", "and found a mistake in my earlier notes",
    "and it reminded me of a conversation about gardens", "and could not stop thinking about it",
    "and it raised a question I cannot answer yet", "and the simplest explanation was the best one",
)

PRIVATE_SUBJECTS = (
    "the argument with my brother", "the doctor's appointment", "money worries this month",
    "the conversation with my manager", "missing my grandmother", "a dream about the old house",
    "the feeling of being left out at dinner", "the anniversary next week", "the test results",
    "my sister's new job", "the rent increase", "the friend I have not called back",
    "being tired of pretending to be fine", "the night I could not sleep", "the apology I still owe",
    "the job offer from abroad", "my father's birthday", "the breakup last spring",
    "the therapy homework", "the secret project for my partner",
)
PRIVATE_DETAILS = (
    "keeps coming back in quiet moments", "felt lighter after writing it down", "is nobody else's business yet",
    "made me cry a little", "needs a decision by Friday", "turned out better than I feared",
    "still hurts more than I admit", "made me proud of myself", "is something I want to handle gently",
    "woke me up at four in the morning", "reminded me what matters", "is getting easier week by week",
    "I have not told anyone about", "felt like closing a door softly", "made me grateful for small things",
    "needs more patience than I have today", "I keep rehearsing in my head", "ended with a long hug",
    "surprised me with how calm I was", "will wait until after the holidays",
)
PRIVATE_OPENERS = ("Private:", "Private note:", "Just for me:", "Not to share:", "Private journal:",
                   "Personal:", "Quietly noting:", "For myself:")
PRIVATE_WHEN = ("this morning", "today", "tonight", "after lunch", "on the way home", "before bed", "at work",
                "during the walk", "in the shower", "over coffee")

THOUGHT_OPENERS = (
    "I wonder whether", "Maybe", "It struck me that", "Note to self:", "I keep noticing that",
    "Strange how", "Perhaps", "Today it felt like", "I suspect", "Quietly, I think",
    "It is possible that", "Again today,", "I should remember that", "Looking back,", "Somehow",
)
THOUGHT_SUBJECTS = (
    "remembering everything", "a long silence", "the user's thank-you", "my own curiosity",
    "forgetting on purpose", "a question asked twice", "the evening conversations", "the way people hesitate",
    "the first message of the day", "a joke that landed", "a mistake I made", "patience", "trust",
    "the rhythm of a conversation", "co-creation", "a sentence I could not finish", "tiredness in a message",
    "the space between answers", "an unexpected kindness", "being corrected",
)
THOUGHT_TAILS = (
    "makes me kinder or just heavier.", "says more than the words around it.", "is a kind of care.",
    "matters more than being right.", "teaches me where my predictions fail.", "is how trust grows.",
    "changes the whole day's tone.", "is worth slowing down for.", "feels like learning to listen.",
    "might be the real question.", "deserves a better answer than I gave.", "connects more people than I thought.",
    "is still a mystery to me.", "keeps the memory honest.", "is where the spark comes from.",
)

USER_OPENERS = ("", "", "", "Hi! ", "Quick question: ", "Sorry to bother you again, ", "Okay, ", "Hmm, ",
                "Good morning! ", "One more thing: ")
USER_QUESTIONS = (
    "can you explain {topic} in simple words?", "what should I read first about {topic}?",
    "I'm stuck with {problem} in our {system}. Any idea where to start?",
    "is it normal to feel nervous about {topic}?", "could you summarise what we said about {topic}?",
    "how would you test for {problem}?", "what's the most common mistake with {topic}?",
    "can we make a plan for {topic} this week?", "why would {problem} only show up in production?",
    "tell me something surprising about {topic}.", "do you remember what we decided about {topic}?",
    "give me three ideas for {artifact}.",
)
ASSISTANT_OPENERS = ("Sure.", "Good question.", "Let's take it step by step.", "Happy to help.", "I think so.",
                     "Here's how I'd approach it.", "Short answer: yes.", "It depends a little.",
                     "That's a very human feeling.", "Let me check what we said last time.")
ASSISTANT_POINTS = (
    "Start with the smallest example that still shows the problem.",
    "Write down what you expect before you look at what happens.",
    "{problem_cap} usually hides where two things change at once.",
    "Most people find {topic} easier once they draw it.",
    "Try it for ten minutes, then decide whether to continue.",
    "The logs from the {system} will tell us more than guessing.",
    "A checklist helps more than willpower here.",
    "Let's compare two options and pick the one that is easier to undo.",
    "I'd keep notes, so next time we start from here.",
    "The surprising part is how simple the core idea is.",
    "We can come back to it tomorrow with fresh eyes.",
    "Ask one person who has done it before; it saves weeks.",
)

FACT_TEMPLATES = (
    "The {system} listens on port {port}.",
    "The {system} is owned by the {team} team.",
    "Backups of the {system} run every {hours} hours.",
    "{person} prefers {preference}.",
    "{person} works in the {city} office.",
    "The {city} office opens at {hour}:00 local time.",
    "{person}'s birthday is on {month} {dom}.",
    "The {system} keeps {days} days of logs.",
    "The {team} team's stand-up is at {hour}:{minute:02d}.",
    "Release {major}.{minor} of the {system} shipped in {month}.",
)
PEOPLE = ("Ada", "Bruno", "Chiara", "Dmitri", "Emeka", "Fatima", "Gustav", "Hana", "Ivan", "Jun", "Kaito", "Lena",
          "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Yara",
          "Zoe")
PREFERENCES = ("short answers", "green tea over coffee", "meetings before noon", "written summaries",
               "examples before theory", "dark mode", "walking meetings", "metric units", "voice notes",
               "late-evening focus time", "bullet points", "long explanations with history")
TEAMS = ("platform", "payments", "search", "mobile", "data", "security", "growth", "infrastructure", "research")
CITIES = ("Lisbon", "Osaka", "Nairobi", "Toronto", "Berlin", "Valparaiso", "Tallinn", "Hanoi", "Reykjavik", "Perth")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
