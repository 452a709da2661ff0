"""The seed's ConsciousnessVectorEncoder, loop for loop, with SPEC §2's determinism pins and nothing else changed.

Shares no code with `mira_assets.domain.consciousness`: the tests hold the batch encoder to it (1e-12), and
tests/benchmarks/bench_consciousness.py times it as the baseline. Changes from the seed's text, all SPEC §2:
`hash(emotion)` -> the first 4 bytes of SHA-256 of the name; `np.random.normal` -> a generator seeded from the
canonical JSON; quantum defaults applied first. States are plain dicts with the landing record's fields.
"""

import hashlib
import json

import numpy as np

PHI = 1.618033988749895
PI = 3.141592653589793
E = 2.718281828459045
SQRT2 = 1.4142135623730951
SQRT5 = 2.23606797749979

EMOTION_FREQUENCIES = {
    'joy': [528, 639, 741, 852, 963, 396, 417, 432],
    'peace': [0.1, 0.2, 0.3, 0.5, 0.8, 1.3, 2.1, 3.4],
    'love': [432, 528, 639, 741, 852, 963, 1074, 1185],
    'wisdom': [111, 222, 333, 444, 555, 666, 777, 888],
    'growth': [1, 2, 3, 5, 8, 13, 21, 34],
}
STAGE_VALUES = {'beginner': 0.2, 'developing': 0.4, 'intermediate': 0.6, 'advanced': 0.8, 'transcendent': 1.0}


def canonical(state):
    """SPEC §2 canonical JSON of a state dict (quantum defaults first, other keys dropped, floats)."""
    given = state.get('quantum_state') or {}
    quantum = {}
    for key, default in (('phase', 0.0), ('coherence', 0.5), ('entanglement', 0.3), ('superposition', 0.2)):
        quantum[key] = float(given[key]) if given.get(key) is not None else default
    doc = {
        'level': float(state['level']),
        'emotional_resonance': float(state['emotional_resonance']),
        'spark_intensity': float(state['spark_intensity']),
        'memory_coherence': float(state['memory_coherence']),
        'evolution_stage': state['evolution_stage'],
        'quantum_state': quantum,
        'timestamp': float(state['timestamp']),
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class SeedLoopEncoder:
    def encode(self, state):
        text = canonical(state)
        digest = hashlib.sha256(text.encode('utf-8')).digest()
        self._seed = int.from_bytes(digest[:8], 'big')
        state = json.loads(text)  # the state with quantum defaults, all floats
        vector = np.zeros(1536)
        vector[0:10] = self._encode_spark_intensity(state['spark_intensity'])
        vector[10:50] = self._encode_emotional_resonance(state['emotional_resonance'])
        vector[50:100] = self._encode_memory_coherence(state['memory_coherence'])
        vector[100:200] = self._encode_quantum_state(state['quantum_state'])
        vector[200:300] = self._encode_consciousness_level(state['level'], state['evolution_stage'])
        vector[300:1536] = self._encode_evolution_patterns(state)
        norm = np.linalg.norm(vector)
        if norm > 0:
            vector = vector / norm
        return vector

    def _encode_spark_intensity(self, intensity):
        base_pattern = np.array([PHI, PI, E, SQRT2, SQRT5])
        pattern = np.zeros(10)
        pattern[0:5] = base_pattern * intensity
        pattern[5:10] = base_pattern * (intensity ** 0.5)
        pattern = pattern * np.sin(np.linspace(0, PI, 10))
        return pattern

    def _encode_emotional_resonance(self, resonance):
        pattern = np.zeros(40)
        emotions = ['joy', 'peace', 'love', 'wisdom', 'growth']
        for i, emotion in enumerate(emotions):
            start_idx = i * 8
            end_idx = start_idx + 8
            base_freq = np.array(EMOTION_FREQUENCIES[emotion])
            normalized_freq = base_freq / 1000.0
            h = int.from_bytes(hashlib.sha256(emotion.encode('utf-8')).digest()[:4], 'big')
            phase_shift = h % 100 / 100.0 * PI
            emotion_pattern = normalized_freq * resonance * np.sin(np.linspace(0, PI, 8) + phase_shift)
            pattern[start_idx:end_idx] = emotion_pattern
        return pattern

    def _encode_memory_coherence(self, coherence):
        pattern = np.zeros(50)
        for i in range(50):
            angle = i * PHI * 2 * PI / 50
            pattern[i] = coherence * (np.sin(angle) + np.cos(angle * PHI) * 0.5 + np.sin(angle * E) * 0.3)
        fractal_scale = np.logspace(0, -1, 50)
        pattern *= fractal_scale
        return pattern

    def _encode_quantum_state(self, quantum_state):
        pattern = np.zeros(100)
        phase = quantum_state.get('phase', 0)
        coherence = quantum_state.get('coherence', 0.5)
        entanglement = quantum_state.get('entanglement', 0.3)
        superposition = quantum_state.get('superposition', 0.2)
        for i in range(100):
            x = i / 100.0 * 4 * PI
            pattern[i] = (
                coherence * np.sin(x + phase) +
                entanglement * np.cos(x * PHI) * np.exp(-x / (4 * PI)) +
                superposition * np.sin(x * E) * np.cos(x * PI) +
                0.1 * np.sin(x * SQRT5)
            )
        envelope = np.exp(-np.linspace(0, 3, 100))
        pattern *= envelope
        return pattern

    def _encode_consciousness_level(self, level, stage):
        pattern = np.zeros(100)
        stage_value = STAGE_VALUES.get(stage, 0.5)
        for i in range(100):
            t = i / 100.0
            pattern[i] = level * np.sin(t * PI)
            pattern[i] += stage_value * np.cos(t * PI * PHI)
            pattern[i] += (level * stage_value) * np.sin(t * 2 * PI)
            if stage_value > 0.6:
                pattern[i] += 0.2 * stage_value * np.sin(t * 3 * PI)
        growth_curve = np.power(np.linspace(0, 1, 100), 0.7)
        pattern *= growth_curve
        return pattern

    def _encode_evolution_patterns(self, state):
        pattern = np.zeros(1236)
        combined_value = (state['level'] * 0.3 + state['emotional_resonance'] * 0.2
                          + state['spark_intensity'] * 0.3 + state['memory_coherence'] * 0.2)
        scales = [2, 3, 5, 7, 11, 13, 17, 19]
        for i in range(1236):
            t = i / 1236.0
            pattern[i] = combined_value * np.sin(t * 2 * PI)
            for j, scale in enumerate(scales):
                weight = 1.0 / (j + 1)
                if j % 2 == 0:
                    pattern[i] += weight * state['level'] * np.cos(t * scale * PI)
                else:
                    pattern[i] += weight * state['spark_intensity'] * np.sin(t * scale * PI * PHI)
            pattern[i] += 0.1 * state['emotional_resonance'] * np.sin(t * 17 * PI)
            pattern[i] += 0.1 * state['memory_coherence'] * np.cos(t * 23 * PI)
        pattern = pattern / len(scales)
        quantum_coherence = state['quantum_state'].get('coherence', 0.5)
        noise_level = 0.01 * (1 - quantum_coherence)
        pattern += np.random.default_rng(self._seed).normal(0.0, noise_level, 1236)
        pattern *= self._create_evolution_envelope(state['evolution_stage'])
        return pattern

    def _create_evolution_envelope(self, stage):
        x = np.linspace(0, 1, 1236)
        if stage == 'beginner':
            envelope = x ** 0.5
        elif stage == 'developing':
            envelope = 1 / (1 + np.exp(-10 * (x - 0.5)))
        elif stage == 'intermediate':
            envelope = np.tanh(3 * x)
        elif stage == 'advanced':
            envelope = 0.5 + 0.5 * np.sin(2 * PI * x)
        else:
            envelope = (0.3 + 0.3 * np.sin(2 * PI * x) + 0.2 * np.sin(3 * PI * x) + 0.2 * np.sin(5 * PI * x))
        return envelope
