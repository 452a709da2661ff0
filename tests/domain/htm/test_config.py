"""The HTM parameters are SPEC §3's, and each level's thresholds follow its per-level rule."""

import pytest

from mira_assets.domain.htm import HTMConfig


def test_the_mira_configuration_is_the_spec():
    config = HTMConfig()
    assert (config.columns, config.cells_per_column, config.sparsity) == (2048, 32, 0.05)
    assert (config.activation_threshold, config.min_threshold, config.max_new_synapses) == (8, 5, 20)
    assert (config.initial_permanence, config.permanence_increment, config.permanence_decrement,
            config.connected_permanence) == (0.21, 0.05, 0.01, 0.5)
    assert config.hierarchy_columns == (2048, 512, 128)
    assert config.abstraction_dim == 32
    assert config.input_dim == 384


def test_each_level_has_the_spec_thresholds_8_5_20_then_8_5_20_then_3_2_6():
    levels = HTMConfig().levels()
    assert [(lv.inputs, lv.columns, lv.active_columns) for lv in levels] == [(2048, 2048, 102), (2048, 512, 26),
                                                                             (512, 128, 6)]
    assert [(lv.activation_threshold, lv.min_threshold, lv.max_new_synapses) for lv in levels] == [
        (8, 5, 20), (8, 5, 20), (3, 2, 6)]


def test_a_level_with_six_active_columns_can_still_predict():
    top = HTMConfig().levels()[-1]
    assert top.activation_threshold <= top.active_columns  # the seed's 8 could never be reached by 6 cells


def test_permanences_must_be_whole_hundredths():
    with pytest.raises(ValueError, match="multiples of 0.01"):
        HTMConfig(permanence_increment=0.055)


def test_the_configuration_survives_json():
    config = HTMConfig(columns=512, hierarchy_columns=(512, 128, 64), input_dim=64)
    assert HTMConfig.from_json(config.to_json()) == config
