"""Deterministic demo landing data for all five streams (``mira demo-data``).

``generate_demo_data(out, start, days, seed)`` writes ``out/<stream>/<YYYY-MM-DD>/part-000.jsonl``.
The same seed gives byte-identical files. Every stream gets valid records plus two malformed
lines per day on purpose (invalid JSON, a missing field, an out-of-range value, a path-traversal
id, ...), so the quarantine path is exercised.

Memories and facts come from fixed pools (``DEMO_MEMORY_TOPICS``, ``DEMO_FACTS``): every topic
appears once per day with id ``mem-<YYYYMMDD>-<key>`` (facts: ``fact-<YYYYMMDD>-<key>``), so a
search test can paraphrase a topic and check that the best hit's id ends with its key. Topics
marked private are always ``is_private`` (they never reach ChromaDB); pick public ones for search.

Framework-free: no dagster/torch/chromadb.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from mira_assets.domain.landing.contract import STREAMS

PART_NAME = "part-000.jsonl"
MALFORMED_PER_STREAM_PER_DAY = 2


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

_SOURCES = ("manual", "conversation", "analysis", "automated", "background", "unknown")
_FACT_SOURCES = ("wikipedia", "conversation", "analysis", "textbook", "user")
_FALSE_TAGS = ("joy", "excitement", "wonder", "love", "collaborative", "breakthrough", "technical")
_STAGES = ("beginner", "developing", "intermediate", "advanced", "transcendent")

_USER_LINES = (
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
_ASSISTANT_LINES = (
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
_SYSTEM_LINES = ("You are MIRA, a warm and curious assistant.", "Context: the user prefers concise answers.")
_TOOL_LINES = ('{"result": "ok", "rows": 3}', "search returned 5 documents")

_THOUGHTS = (
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
_INSIGHTS = (
    "Memories with emotional weight consolidate faster.",
    "Collaboration raises resonance more than solitary analysis.",
    "Prediction errors are where learning happens.",
    "Slow conversations produce more coherent states.",
    "Curiosity precedes most breakthroughs.",
    "The evening states resemble each other more than the mornings do.",
    "Naming a feeling lowers its intensity.",
    "Repetition without variation stops teaching.",
)
_SUFFIXES = (
    "", "", "",
    " Worth remembering.",
    " I want to come back to this next week.",
    " It took longer than expected, but it was worth it.",
    " Noted in the journal with a sketch.",
)


# --------------------------------------------------------------------------- helpers


def _rng(seed: int, stream: str, day: date) -> random.Random:
    return random.Random(f"mira-demo:{seed}:{stream}:{day.isoformat()}")


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _iso(moment: datetime, rng: random.Random) -> str | float:
    """Mostly ISO with Z, sometimes an explicit offset or epoch seconds: the contract allows all."""
    pick = rng.random()
    if pick < 0.7:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if pick < 0.85:
        offset = timezone(timedelta(hours=2))
        return moment.astimezone(offset).isoformat()
    return round(moment.timestamp(), 3)


def _f(x: float) -> float:
    return round(min(1.0, max(0.0, x)), 4)


def _line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def _bad_timestamp_line(obj: dict) -> str:
    obj = dict(obj)
    obj["timestamp"] = "yesterday at noon"
    return _line(obj)


# --------------------------------------------------------------------------- streams


def _conversations(rng: random.Random, day: date) -> list[dict]:
    out = []
    start = _day_start(day)
    count = rng.randint(8, 12)
    minutes = sorted(rng.sample(range(0, 22 * 60), count))
    for i, minute in enumerate(minutes):
        moment = start + timedelta(minutes=minute)
        messages = []
        if rng.random() < 0.25:
            messages.append({"role": "system", "content": rng.choice(_SYSTEM_LINES), "timestamp": _iso(moment, rng)})
        for _turn in range(rng.randint(1, 6)):
            k = rng.randrange(len(_USER_LINES))
            moment += timedelta(seconds=rng.randint(5, 240))
            messages.append({"role": "user", "content": _USER_LINES[k], "timestamp": _iso(moment, rng)})
            if rng.random() < 0.15:
                moment += timedelta(seconds=rng.randint(1, 5))
                messages.append({"role": "tool", "content": rng.choice(_TOOL_LINES), "timestamp": _iso(moment, rng)})
            moment += timedelta(seconds=rng.randint(2, 60))
            reply = _ASSISTANT_LINES[k]
            if rng.random() < 0.3:
                reply = reply + " " + rng.choice(_ASSISTANT_LINES)
            messages.append({"role": "assistant", "content": reply, "timestamp": _iso(moment, rng)})
        context = {
            "channel": rng.choice(["cli", "web", "voice"]),
            "language": rng.choice(["en", "de", "ja", "fr", "zh", "ru"]),
            "session": f"s-{day:%Y%m%d}-{i:02d}",
        }
        if rng.random() < 0.3:
            context["mood"] = rng.choice(["curious", "tired", "playful", "focused"])
        out.append({"conversation_id": f"conv-{day:%Y%m%d}-{i:03d}", "messages": messages, "context": context})
    return out


def _private_thoughts(rng: random.Random, day: date) -> list[dict]:
    out = []
    start = _day_start(day)
    count = rng.randint(8, 12)
    for minute in sorted(rng.sample(range(0, 24 * 60), count)):
        thought = rng.choice(_THOUGHTS)
        if rng.random() < 0.3:
            thought = thought + " " + rng.choice(_THOUGHTS)
        out.append({
            "thought": thought,
            "timestamp": _iso(start + timedelta(minutes=minute, seconds=rng.randint(0, 59)), rng),
            "metadata": {
                "kind": rng.choice(["reflection", "observation", "question", "gratitude"]),
                "intensity": _f(rng.random()),
                "related_conversations": rng.randint(0, 3),
            },
        })
    return out


def _memories(rng: random.Random, day: date) -> list[dict]:
    out = []
    start = _day_start(day)
    topics = list(DEMO_MEMORY_TOPICS)
    rng.shuffle(topics)
    for topic in topics:
        tags: dict[str, bool] = {t: True for t in topic.tags}
        for t in rng.sample(_FALSE_TAGS, 2):
            tags.setdefault(t, False)  # a tag set to false is no tag (SPEC §1)
        moment = start + timedelta(seconds=rng.randrange(24 * 3600))
        rec: dict[str, Any] = {
            "memory_id": f"mem-{day:%Y%m%d}-{topic.key}",
            "content": topic.content + rng.choice(_SUFFIXES),
            "timestamp": _iso(moment, rng),
            "significance": _f(rng.betavariate(2, 2) + (0.3 if "breakthrough" in topic.tags else 0.0)),
            "relevance": _f(rng.random()),
            "emotional_impact": _f(rng.betavariate(2, 3) + 0.2 * bool(set(topic.tags) & {"joy", "love", "wonder"})),
            "technical_value": _f(rng.betavariate(4, 2) if "technical" in topic.tags else rng.betavariate(1.5, 4)),
            "user_rating": _f(rng.random()),
            "confidence": _f(rng.uniform(0.6, 1.0)),
            "source": topic.source or rng.choice(_SOURCES),
            "access_count": rng.choice([0, 0, 0, 1, 2, 3, 5, 8, 13]),
            "tags": tags,
            "spark_intensity": _f(rng.random() * 0.6),
            "is_private": topic.private,
        }
        if rng.random() < 0.15:  # defaults are allowed: leave a few optional fields out
            for name in ("relevance", "user_rating", "access_count"):
                rec.pop(name)
        out.append(rec)
    return out


def _facts(rng: random.Random, day: date) -> list[dict]:
    out = []
    start = _day_start(day)
    for key, content in DEMO_FACTS:
        words = [w.strip(".,:").lower() for w in content.split() if len(w) > 6]
        tags = sorted(set(rng.sample(words, min(2, len(words))))) if words else []
        out.append({
            "id": f"fact-{day:%Y%m%d}-{key}",
            "content": content,
            "source": rng.choice(_FACT_SOURCES),
            "confidence": _f(rng.uniform(0.7, 1.0)),
            "timestamp": _iso(start + timedelta(seconds=rng.randrange(24 * 3600)), rng),
            "tags": tags,
        })
    return out


def _consciousness(rng: random.Random, day: date, day_index: int) -> list[dict]:
    out = []
    start = _day_start(day)
    for hour in range(24):
        stage = _STAGES[(hour + day_index) % len(_STAGES)]
        breakthrough = rng.random() < 0.1
        spark = rng.uniform(0.91, 0.99) if (breakthrough or rng.random() < 0.1) else rng.uniform(0.1, 0.85)
        out.append({
            "level": _f(0.3 + 0.5 * (0.5 + 0.5 * math.sin(hour / 24 * 2 * math.pi)) + rng.uniform(-0.1, 0.1)),
            "emotional_resonance": _f(rng.uniform(0.2, 0.95)),
            "spark_intensity": _f(spark),
            "memory_coherence": _f(rng.uniform(0.3, 0.95)),
            "evolution_stage": stage,
            "quantum_state": {
                "phase": round(rng.uniform(0, 2 * math.pi), 4),
                "coherence": _f(rng.uniform(0.2, 0.9)),
                "entanglement": _f(rng.uniform(0.1, 0.6)),
                "superposition": _f(rng.uniform(0.05, 0.5)),
            },
            "timestamp": _iso(start + timedelta(hours=hour, minutes=rng.randint(0, 4)), rng),
            "insights": rng.sample(_INSIGHTS, rng.randint(0, 3)),
            "is_breakthrough": breakthrough,
        })
    return out


def _malformed(stream: str, rng: random.Random, day: date, day_index: int, valid: list[dict]) -> list[str]:
    """Two broken lines, rotating through four kinds per stream across days."""
    base = dict(rng.choice(valid))
    kinds: list[str]
    if stream == "conversations":
        def bad_role() -> str:
            conv = dict(base)
            conv["messages"] = [dict(m) for m in conv["messages"]]
            conv["messages"][-1]["role"] = "narrator"
            conv["conversation_id"] = f"conv-{day:%Y%m%d}-badrole"
            return _line(conv)
        makers = {
            "invalid_json": lambda: _line(base)[: -7],
            "missing": lambda: _line({k: v for k, v in base.items() if k != "messages"} | {"conversation_id": f"conv-{day:%Y%m%d}-nomsg"}),
            "traversal": lambda: _line(base | {"conversation_id": "../../etc/passwd"}),
            "bad_role": bad_role,
        }
    elif stream == "private_thoughts":
        makers = {
            "invalid_json": lambda: _line(base)[: -3],
            "missing": lambda: _line({k: v for k, v in base.items() if k != "thought"}),
            "bad_timestamp": lambda: _bad_timestamp_line(base),
            "not_object": lambda: json.dumps([base["thought"]], ensure_ascii=False),
        }
    elif stream == "memories":
        makers = {
            "invalid_json": lambda: "{" + _line(base)[1:].replace('"content": ', '"content" ', 1),
            "missing": lambda: _line({k: v for k, v in base.items() if k != "content"} | {"memory_id": f"mem-{day:%Y%m%d}-nocontent"}),
            "out_of_range": lambda: _line(base | {"memory_id": f"mem-{day:%Y%m%d}-range", "significance": 1.7}),
            "traversal": lambda: _line(base | {"memory_id": "..\\..\\secrets"}),
        }
    elif stream == "facts":
        makers = {
            "invalid_json": lambda: _line(base).replace("{", "{{", 1),
            "missing": lambda: _line({k: v for k, v in base.items() if k != "id"}),
            "out_of_range": lambda: _line(base | {"id": f"fact-{day:%Y%m%d}-range", "confidence": -0.2}),
            "traversal": lambda: _line(base | {"id": "facts/../../x"}),
        }
    else:
        makers = {
            "invalid_json": lambda: _line(base)[: len(_line(base)) // 2],
            "missing": lambda: _line({k: v for k, v in base.items() if k != "evolution_stage"}),
            "out_of_range": lambda: _line(base | {"level": 1.5}),
            "bad_timestamp": lambda: _bad_timestamp_line(base),
        }
    kinds = list(makers)
    chosen = [kinds[(2 * day_index) % len(kinds)], kinds[(2 * day_index + 1) % len(kinds)]]
    return [makers[k]() for k in chosen]


def demo_day_lines(stream: str, day: date, seed: int, day_index: int = 0) -> tuple[list[str], int]:
    """The lines of one stream's demo day and how many of them are malformed on purpose."""
    rng = _rng(seed, stream, day)
    if stream == "conversations":
        valid = _conversations(rng, day)
    elif stream == "private_thoughts":
        valid = _private_thoughts(rng, day)
    elif stream == "memories":
        valid = _memories(rng, day)
    elif stream == "facts":
        valid = _facts(rng, day)
    elif stream == "consciousness":
        valid = _consciousness(rng, day, day_index)
    else:
        raise ValueError(f"unknown landing stream {stream!r}")
    lines = [_line(r) for r in valid]
    bad = _malformed(stream, rng, day, day_index, valid)
    for text in bad:
        lines.insert(rng.randint(1, len(lines)), text)
    return lines, len(bad)


def generate_demo_data(out: Path, start: date, days: int, seed: int) -> dict[str, int]:
    """Write ``out/<stream>/<YYYY-MM-DD>/part-000.jsonl`` for each stream and day.

    Returns the number of valid records per stream (all days together) plus ``"malformed"``:
    the number of lines that are broken on purpose (all streams and days).
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    if isinstance(start, str):
        start = date.fromisoformat(start)
    out = Path(out)
    counts: dict[str, int] = {s: 0 for s in STREAMS}
    counts["malformed"] = 0
    for day_index in range(days):
        day = start + timedelta(days=day_index)
        for stream in STREAMS:
            lines, bad = demo_day_lines(stream, day, seed, day_index)
            folder = out / stream / day.isoformat()
            folder.mkdir(parents=True, exist_ok=True)
            data = ("\n".join(lines) + "\n").encode("utf-8")
            path = folder / PART_NAME
            if not (path.is_file() and path.read_bytes() == data):
                tmp = folder / f".{PART_NAME}.tmp"
                tmp.write_bytes(data)
                tmp.replace(path)
            counts[stream] += len(lines) - bad
            counts["malformed"] += bad
    return counts
