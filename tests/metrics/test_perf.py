"""``StagePerfStats`` arithmetic and flattening, and the ``StageTimer`` that makes records."""

from __future__ import annotations

import pytest

from curator_dask.metrics import StagePerfStats, StageTimer


def _stats(process_time: float, items: int, **custom: float) -> StagePerfStats:
    return StagePerfStats(
        stage_name="s",
        process_time=process_time,
        actor_idle_time=process_time / 10,
        input_data_size_mb=items / 1024 / 1024,
        num_items_processed=items,
        custom_metrics=dict(custom),
    )


def test_add_sums_every_field_and_the_union_of_custom_metrics() -> None:
    total = _stats(1.0, 2, rows=3.0) + _stats(2.0, 5, bytes=7.0)
    assert total.stage_name == "s"
    assert total.process_time == pytest.approx(3.0)
    assert total.actor_idle_time == pytest.approx(0.3)
    assert total.input_data_size_mb == pytest.approx(7 / 1024 / 1024)
    assert total.num_items_processed == 7
    assert total.custom_metrics == {"rows": 3.0, "bytes": 7.0}


def test_add_does_not_mutate_its_operands() -> None:
    a, b = _stats(1.0, 1, rows=1.0), _stats(1.0, 1, rows=1.0)
    _ = a + b
    assert (a.process_time, a.custom_metrics) == (1.0, {"rows": 1.0})


def test_sum_starts_from_zero_via_radd() -> None:
    total = sum([_stats(1.0, 1), _stats(2.0, 2), _stats(3.0, 3, rows=1.0)])
    assert isinstance(total, StagePerfStats)
    assert (total.process_time, total.num_items_processed, total.custom_metrics) == (6.0, 6, {"rows": 1.0})
    assert 0 + _stats(1.0, 1) == _stats(1.0, 1)


@pytest.mark.parametrize("other", [1, 2.5, "x"])
def test_radd_rejects_anything_but_zero(other: object) -> None:
    with pytest.raises(TypeError, match="Cannot add"):
        other + _stats(1.0, 1)  # type: ignore[operator]


def test_items_flattens_custom_metrics_with_a_prefix() -> None:
    assert dict(_stats(2.0, 4, rows=3.0).items()) == {
        "process_time": 2.0,
        "actor_idle_time": 0.2,
        "input_data_size_mb": 4 / 1024 / 1024,
        "num_items_processed": 4.0,
        "custom.rows": 3.0,
    }


def test_to_dict_keeps_custom_metrics_nested() -> None:
    assert _stats(1.0, 1, rows=2.0).to_dict()["custom_metrics"] == {"rows": 2.0}


def test_timer_measures_a_batch_and_the_idle_time_between_batches() -> None:
    timer = StageTimer("stage")
    with timer.measure(num_items=5) as first:
        sum(range(1000))
    with timer.measure(num_items=2) as second:
        pass
    assert first.stats is not None
    assert second.stats is not None
    assert (first.stats.stage_name, first.stats.num_items_processed) == ("stage", 5)
    assert first.stats.process_time > 0
    assert first.stats.actor_idle_time == 0.0
    assert second.stats.actor_idle_time >= 0.0
    assert second.stats.input_data_size_mb == pytest.approx(2 / 1024 / 1024)


def test_timer_records_a_batch_that_raised() -> None:
    timer = StageTimer("stage")
    measurement = timer.measure(num_items=1)
    with pytest.raises(RuntimeError), measurement:
        raise RuntimeError("boom")
    assert measurement.stats is not None
