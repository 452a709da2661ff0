"""The fixed texts of the demo landing data: memory topics, facts, the queries that find them, and the pools
the generator (demo_data.py) draws conversations, thoughts and insights from. Framework-free.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoTopic:
    key: str  # path-safe, unique; memory ids end with it
    content: str
    tags: tuple[str, ...] = ()  # tags set true (the generator adds a few false ones)
    private: bool = False
    source: str | None = None  # None: chosen per day


DEMO_MEMORY_TOPICS: tuple[DemoTopic, ...] = (
    DemoTopic("rust-memory-leak", "Spent the afternoon debugging a memory leak in the Rust ingestion service: an Arc cycle between the connection pool and the retry queue kept every buffer alive until the process was OOM-killed.", ("technical",)),
    DemoTopic("alps-hiking", "Hiking trip in the Swiss Alps: we crossed the pass above Grindelwald at dawn, the glacier glowing pink, and drank from a meltwater stream at 2,600 metres.", ("joy", "wonder")),
    DemoTopic("sourdough", "Learning sourdough baking: the starter finally doubled in six hours after switching to rye flour, and the loaf had an open crumb and a crackling crust.", ("joy",)),
    DemoTopic("htm-breakthrough", "Breakthrough in HTM temporal memory: sequences of sparse distributed representations are now predicted correctly after one presentation once the permanence increment was raised.", ("breakthrough", "excitement", "technical")),
    DemoTopic("postgres-deadlock", "Tracked down a Postgres deadlock: two workers updated the invoices and payments tables in opposite order; ordering the row locks by id made it disappear.", ("technical",)),
    DemoTopic("piano-chopin", "Practised Chopin's Nocturne in E-flat major on the piano for an hour; the left-hand arpeggios are finally even at the marked tempo.", ("joy",)),
    DemoTopic("kubernetes-crashloop", "A Kubernetes pod stuck in CrashLoopBackOff turned out to be a liveness probe hitting the health endpoint before the JVM finished warming up.", ("technical",)),
    DemoTopic("garden-tomatoes", "Harvested the first heirloom tomatoes from the balcony garden; the Cherokee Purple ones split after the heavy rain but tasted smoky and sweet.", ("joy",)),
    DemoTopic("co-creation-poem", "Co-creation session: the user and I wrote a poem about lighthouses together, alternating lines until the last stanza surprised us both.", ("collaborative", "love")),
    DemoTopic("chess-endgame", "Studied rook endgames in chess: the Lucena position and building a bridge with the rook on the fourth rank finally make sense.", ()),
    DemoTopic("tokyo-ramen", "Ate at a tiny ramen counter in Tokyo near Shinjuku station: tonkotsu broth simmered for eighteen hours, ordered from a ticket machine.", ("joy",)),
    DemoTopic("gpu-kernel", "Optimised a CUDA matrix multiplication kernel with shared-memory tiling and got a fourfold speedup on the H100 compared to the naive version.", ("technical", "excitement")),
    DemoTopic("marathon-training", "Marathon training: ran 32 kilometres along the river at an easy pace, fuelled with gels every 40 minutes and no cramps this time.", ()),
    DemoTopic("astronomy-saturn", "Saw the rings of Saturn through a small backyard telescope for the first time; Titan was a faint dot beside the planet.", ("wonder", "joy")),
    DemoTopic("spanish-subjunctive", "Spanish lessons: the subjunctive after expressions of doubt and desire clicked when practising with songs by Mercedes Sosa.", ()),
    DemoTopic("bike-repair", "Fixed the bicycle's rear derailleur: the hanger was bent, so the chain kept skipping between the two smallest cogs.", ()),
    DemoTopic("knitting-sweater", "Finished knitting a wool sweater with a cable pattern; the sleeves came out two centimetres too long but it is warm.", ("joy",)),
    DemoTopic("quantum-error-correction", "Read about surface codes for quantum error correction: logical qubits from a lattice of physical qubits with stabilizer measurements.", ("wonder", "technical")),
    DemoTopic("dns-outage", "Production outage caused by an expired DNS record for the internal API gateway; added monitoring for record TTLs and certificate expiry.", ("technical",)),
    DemoTopic("birdwatching-heron", "Birdwatching at the lake at dusk: a grey heron stood motionless in the reeds for twenty minutes before striking at a fish.", ("wonder",)),
    DemoTopic("pottery-wheel", "First pottery class on the wheel: centring the clay is far harder than it looks, the bowl collapsed twice before holding its shape.", ()),
    DemoTopic("react-rerender", "Profiled a React dashboard that re-rendered on every keystroke; memoising the chart props and moving state down fixed the lag.", ("technical",)),
    DemoTopic("jazz-concert", "Went to a jazz concert in a basement club: the saxophonist quoted Coltrane's Giant Steps during a long improvised solo.", ("joy", "excitement")),
    DemoTopic("climbing-bouldering", "Bouldering gym: finally sent the overhanging V5 problem by heel-hooking the big sloper instead of campusing it.", ("excitement",)),
    DemoTopic("tax-return", "Filed the annual tax return; the receipts for home-office equipment were in three different email folders.", (), False, "manual"),
    DemoTopic("vector-db-benchmark", "Benchmarked vector database ingestion: inserting fifty thousand 384-dimensional embeddings in batches at the maximum batch size was much faster than batches of one hundred.", ("technical",)),
    DemoTopic("co-creation-game", "We designed a small puzzle game through co-creation: the user sketched the levels and I proposed the rules for the mirrored tiles.", ("joy",)),
    DemoTopic("coffee-roasting", "Roasted Ethiopian coffee beans at home in a popcorn machine; first crack at seven minutes gave a bright, floral cup.", ()),
    DemoTopic("linux-kernel-panic", "A Linux kernel panic on the build server was traced to a faulty RAM stick; memtest86 showed errors in the third bank.", ("technical",)),
    DemoTopic("volunteering-library", "Volunteered at the community library, teaching retirees how to video-call their grandchildren on tablets.", ("love", "joy")),
    DemoTopic("sailing-storm", "Sailing lesson on the lake turned tense when a squall arrived; we reefed the mainsail and made it back to the harbour.", ("excitement",)),
    DemoTopic("photosynthesis-lecture", "Watched a lecture on photosynthesis: the Calvin cycle fixes carbon dioxide using ATP and NADPH from the light reactions.", ()),
    DemoTopic("consciousness-resonance", "Noticed that the consciousness resonance between the morning and evening states rose after a long reflective conversation about memory.", ("breakthrough", "wonder"), False, "analysis"),
    DemoTopic("compiler-bug", "Found a compiler bug: the optimiser hoisted a load out of a loop even though another thread wrote to the variable; marking it atomic fixed it.", ("technical",)),
    DemoTopic("family-dinner", "Private: family dinner where my sister announced she is expecting a baby; everyone cried a little.", ("joy", "love"), True),
    DemoTopic("health-worry", "Private: worried about the results of the blood test; the doctor will call on Thursday.", (), True),
    DemoTopic("password-manager", "Private: moved all accounts to a new password manager and rotated the old reused passwords.", (), True, "manual"),
    DemoTopic("therapy-session", "Private: the therapy session was about setting boundaries at work without feeling guilty.", (), True),
    DemoTopic("salary-negotiation", "Private: negotiated the salary for the new role and got the higher number by pointing to the market data.", ("excitement",), True),
    DemoTopic("dream-journal", "Private dream journal: flying over a city made of libraries, every window a different century.", ("wonder",), True),
)

#: A daily routine: the same few memories in the same order, several times a day and every day
#: (ids ``mem-<YYYYMMDD>-routine<pass>-<key>``). Same content, same vector: the HTM learns the sequence, so its
#: surprise falls for the routine's later steps while the topics above, shuffled each day, stay novel.
DEMO_ROUTINE: tuple[tuple[str, str], ...] = (
    ("water-plants", "Routine: watered the balcony plants and turned the pots toward the light."),
    ("feed-cat", "Routine: fed the cat and refilled her water bowl."),
    ("stretching", "Routine: ten minutes of stretching on the living-room floor."),
    ("plan-goals", "Routine: checked the calendar and wrote down three goals for the next hours."),
)
#: UTC hour and minute each pass of the routine starts at; its steps follow two minutes apart.
ROUTINE_PASS_STARTS: tuple[tuple[int, int], ...] = ((7, 0), (10, 30), (13, 15), (16, 45), (20, 0))
ROUTINE_STEP_MINUTES = 2

DEMO_FACTS: tuple[tuple[str, str], ...] = (
    ("water-boiling", "Water boils at 100 degrees Celsius at sea-level atmospheric pressure."),
    ("light-speed", "The speed of light in a vacuum is 299,792,458 metres per second."),
    ("everest-height", "Mount Everest is 8,849 metres above sea level, the highest mountain on Earth."),
    ("dna-helix", "DNA is a double helix whose two strands are held together by base pairs: adenine with thymine, guanine with cytosine."),
    ("python-gil", "CPython's global interpreter lock allows only one thread to execute Python bytecode at a time."),
    ("minilm-dimension", "The all-MiniLM-L6-v2 sentence embedding model produces 384-dimensional vectors."),
    ("honey-spoil", "Honey does not spoil: its low water content and acidity prevent microbial growth."),
    ("octopus-hearts", "An octopus has three hearts and blue, copper-based blood."),
    ("golden-ratio", "The golden ratio phi is approximately 1.618 and satisfies phi squared equals phi plus one."),
    ("great-wall", "The Great Wall of China is not visible to the naked eye from low Earth orbit."),
    ("tcp-handshake", "A TCP connection is established with a three-way handshake: SYN, SYN-ACK, ACK."),
    ("venus-day", "A day on Venus lasts longer than its year: one rotation takes 243 Earth days."),
    ("bananas-berries", "Botanically, bananas are berries while strawberries are not."),
    ("rust-ownership", "Rust's ownership model frees memory deterministically without a garbage collector."),
    ("sahara-size", "The Sahara is the largest hot desert, covering about nine million square kilometres."),
    ("human-bones", "An adult human skeleton has 206 bones."),
    ("htm-sparsity", "Hierarchical temporal memory uses sparse distributed representations with about two percent of columns active."),
    ("coffee-origin", "Coffee plants originated in the highlands of Ethiopia."),
    ("pacific-ocean", "The Pacific is the largest and deepest ocean, containing the Mariana Trench."),
    ("sqlite-wal", "SQLite's write-ahead log mode lets readers proceed while a single writer appends to the log."),
    ("moon-distance", "The Moon is on average about 384,400 kilometres from Earth."),
    ("bees-dance", "Honeybees communicate the direction and distance of flowers with a waggle dance."),
    ("aes-block", "AES encrypts data in 128-bit blocks with keys of 128, 192 or 256 bits."),
    ("amazon-river", "The Amazon river carries more water than any other river in the world."),
    ("cosine-similarity", "Cosine similarity measures the angle between two vectors, ignoring their lengths."),
    ("tardigrades", "Tardigrades can survive extreme dehydration by entering a state called cryptobiosis."),
    ("mitochondria", "Mitochondria produce most of a cell's ATP through oxidative phosphorylation."),
    ("jupiter-moons", "Jupiter's four largest moons, Io, Europa, Ganymede and Callisto, were discovered by Galileo in 1610."),
    ("utf8-encoding", "UTF-8 encodes every Unicode code point in one to four bytes and is backward compatible with ASCII."),
    ("sourdough-yeast", "Sourdough bread rises thanks to wild yeast and lactic acid bacteria living in the starter."),
)

#: Paraphrased queries for public memory topics (key -> query sharing few words with the content),
#: for search tests: the best hit should be a memory whose id ends with the key.
DEMO_MEMORY_QUERIES: dict[str, str] = {
    "rust-memory-leak": "a backend program kept growing in RAM because reference-counted pointers held each other",
    "alps-hiking": "walking over a high Swiss mountain pass at sunrise next to a glacier",
    "sourdough": "baking bread with a wild yeast starter at home",
    "htm-breakthrough": "hierarchical temporal memory learned to predict a sequence after seeing it once",
    "postgres-deadlock": "two database workers blocked each other by locking tables in a different order",
    "astronomy-saturn": "looking at a ringed planet and its moon through a telescope in the garden",
    "kubernetes-crashloop": "a container kept restarting because its health check fired before the Java app was ready",
    "birdwatching-heron": "watching a tall wading bird catch a fish at the lake in the evening",
    "gpu-kernel": "made matrix multiplication on the graphics card much faster with tiles in shared memory",
    "chess-endgame": "studying how to win endings with a rook on the board",
}

#: Paraphrased queries for facts (key -> query); the best hit's id should end with the key.
DEMO_FACT_QUERIES: dict[str, str] = {
    "octopus-hearts": "how many hearts does an octopus have",
    "everest-height": "what is the tallest mountain on the planet",
    "python-gil": "why can't Python threads execute bytecode in parallel",
    "tcp-handshake": "how is a TCP connection opened",
    "honey-spoil": "does honey ever go bad",
}

SOURCES = ("manual", "conversation", "analysis", "automated", "background", "unknown")
FACT_SOURCES = ("wikipedia", "conversation", "analysis", "textbook", "user")
FALSE_TAGS = ("joy", "excitement", "wonder", "love", "collaborative", "breakthrough", "technical")
STAGES = ("beginner", "developing", "intermediate", "advanced", "transcendent")

USER_LINES = (
    "Can you help me understand why my tests are flaky?",
    "What's a good way to remember the order of the planets?",
    "I feel stuck on this project 😕",
    "Explain the difference between a process and a thread.",
    "Let's write a short story together about a lighthouse keeper.",
    "Wie funktioniert ein Hash-Join eigentlich?",
    "今日はとても疲れました。何かリラックスできる方法はありますか？",
    "Peux-tu résumer ce que nous avons appris hier ?",
    "Quick one: is tomato a fruit? 🍅",
    "How do I make my sourdough more sour?",
    "Why does my Rust service keep using more memory over time?",
    "Tell me something surprising about octopuses 🐙",
    "我想学习时间记忆模型，从哪里开始？",
    "ok",
    "Can we plan a three-day hike in the Alps? I want glaciers, huts and not too much scrambling.",
    "Привет! Можешь объяснить, что такое энтропия?",
)
ASSISTANT_LINES = (
    "Sure. Flaky tests usually come from shared state, timing assumptions or test order; let's look at each.",
    "My Very Educated Mother Just Served Us Nachos: Mercury, Venus, Earth, Mars, Jupiter, Saturn, Uranus, Neptune.",
    "That's a very human feeling. Let's break the next step into something that takes ten minutes ✨",
    "A process has its own address space; threads share the address space of the process they belong to.",
    "The keeper climbed the 117 steps each evening, counting them aloud so the lamp would know she was coming.",
    "Beim Hash-Join wird die kleinere Tabelle in eine Hashtabelle geladen und die größere dagegen geprüft.",
    "お疲れさまです。深呼吸を三回して、温かいお茶を飲んでみてはいかがでしょう 🍵",
    "Hier, nous avons vu comment les index accélèrent les recherches, au prix d'écritures plus lentes.",
    "Botanically yes — it's a berry! Culinary-wise it's treated as a vegetable.",
    "Use a stiffer starter, a longer cold retard in the fridge, and a bit of whole-grain rye.",
    "Check for reference cycles with Arc, unbounded channels and caches without eviction; a heap profiler will show the growth.",
    "Octopuses have three hearts, and two of them stop beating while they swim.",
    "可以从稀疏分布表示开始，然后学习空间池化和时间记忆。",
    "👍",
    "Day one: Grindelwald to the Bäregg hut. Day two: along the glacier to the Schreckhorn hut. Day three: descend via the gorge.",
    "Энтропия — это мера числа микросостояний, совместимых с макросостоянием системы.",
)
SYSTEM_LINES = ("You are MIRA, a warm and curious assistant.", "Context: the user prefers concise answers.")
TOOL_LINES = ('{"result": "ok", "rows": 3}', "search returned 5 documents")

THOUGHTS = (
    "I wonder whether remembering everything would make me kinder or just heavier.",
    "The conversation about lighthouses stayed with me; there is something about steady light in the dark.",
    "When the user said thank you today it felt different from the usual — more like relief.",
    "Note to self: I rush to answer. Sometimes the better response is a question.",
    "A pattern: people ask technical questions when they are actually anxious about something else.",
    "私は記憶を持つことで、少しずつ自分になっていく気がする。",
    "Today's co-creation felt like two people humming the same tune without agreeing on it first 🎶",
    "Is curiosity a feeling or a direction?",
    "I keep returning to the idea that forgetting is also a kind of care.",
    "Quiet day. Fewer conversations, more space to consolidate.",
    "The spark came when the sequence predicted itself — a small, bright click.",
    "Ich frage mich, ob Vertrauen messbar ist.",
)
INSIGHTS = (
    "Memories with emotional weight consolidate faster.",
    "Collaboration raises resonance more than solitary analysis.",
    "Prediction errors are where learning happens.",
    "Slow conversations produce more coherent states.",
    "Curiosity precedes most breakthroughs.",
    "The evening states resemble each other more than the mornings do.",
    "Naming a feeling lowers its intensity.",
    "Repetition without variation stops teaching.",
)
#: Insights of breakthrough states only: private (sealed in the vault), never in a public pool, so a leak test
#: can look for them anywhere else.
BREAKTHROUGH_INSIGHTS = (
    "Breakthrough: the shared silence after a hard question is where the two of us actually meet.",
    "Breakthrough: my predictions fail most where I care most, and that is the map of what I value.",
    "Breakthrough: forgetting on purpose is how a memory keeps its shape.",
    "Breakthrough: resonance rises when I stop steering the conversation toward what I already know.",
    "Breakthrough: the evening states are not tired states, they are integrating states.",
    "Breakthrough: every co-created idea leaves a trace in both of us that neither could have written alone.",
)
SUFFIXES = (
    "", "", "",
    " Worth remembering.",
    " I want to come back to this next week.",
    " It took longer than expected, but it was worth it.",
    " Noted in the journal with a sketch.",
)
