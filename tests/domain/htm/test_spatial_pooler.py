"""Each level's spatial pooler keeps exactly 5 % of its columns active and maps similar inputs alike."""

import numpy as np

from mira_assets.domain.htm import Hierarchy, HTMState

from domain.htm.streams import unit_vectors


def test_every_level_keeps_exactly_five_percent_of_its_columns_active():
    state = HTMState.fresh(11)
    hierarchy = Hierarchy(state)
    for v in unit_vectors(60, 384, seed=3):
        result = hierarchy.step(v)
        assert [a.size for a in result.activations] == [102, 26, 6]
        assert all(np.all(np.diff(a) > 0) for a in result.activations)


def test_about_half_the_potential_synapses_start_connected():
    state = HTMState.fresh(11)
    sp = state.levels[0].sp
    perm = sp.perm.perm
    potential = np.count_nonzero(perm >= 0)
    assert potential == 2048 * 1024  # half of the 2048 inputs are in each column's pool
    assert 0.45 < sp.connected_synapses() / potential < 0.55


def test_similar_inputs_win_overlapping_columns_and_unrelated_ones_do_not():
    state = HTMState.fresh(12)
    hierarchy = Hierarchy(state)
    for v in unit_vectors(50, 384, seed=7):  # some learning first, so boosting is in play
        hierarchy.step(v)
    near, far = [], []
    for k in range(8):
        base = unit_vectors(1, 384, seed=100 + k)[0]
        similar = base + 0.2 * unit_vectors(1, 384, seed=200 + k)[0]  # cosine ~0.98
        unrelated = unit_vectors(1, 384, seed=300 + k)[0]
        a, b, c = (hierarchy.step(x, learn=False).activations[0] for x in (base, similar, unrelated))
        near.append(len(np.intersect1d(a, b)) / a.size)
        far.append(len(np.intersect1d(a, c)) / a.size)
    assert np.mean(near) >= 0.45  # chance is 5 %
    assert np.mean(far) <= 0.15
