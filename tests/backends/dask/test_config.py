"""``DaskExecutorConfig``: every key validated once; the README's table is the config's own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from curator_dask.backends.dask import DaskExecutor, DaskExecutorConfig
from curator_dask.errors import ConfigError

README = Path(__file__).resolve().parents[3] / "README.md"


def test_defaults() -> None:
    config = DaskExecutorConfig.from_dict(None)
    assert config == DaskExecutorConfig()
    assert (config.failure_policy, config.resume, config.max_in_flight) == ("raise", "auto", None)
    assert not config.tolerate_failures


def test_an_unknown_key_suggests_the_closest_one() -> None:
    with pytest.raises(ConfigError, match=r"Unknown DaskExecutor config keys \['retries'\] \(did you mean 'retries' -> "
                       r"'max_retries'\?\); known keys: failure_policy, max_retries"):
        DaskExecutor(config={"retries": 3})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"resume": "off"}, r"resume must be 'auto', True or False; got 'off'"),
        ({"resume": 1}, r"resume must be 'auto', True or False; got 1"),
        ({"failure_policy": "ignore"}, r"failure_policy must be one of 'raise', 'continue'; got 'ignore'"),
        ({"on_setup_error": "skip"}, r"on_setup_error must be one of 'raise', 'exclude_worker'; got 'skip'"),
        ({"max_in_flight": 0}, r"max_in_flight must be an int >= 1; got 0"),
        ({"max_retries": -1}, r"max_retries must be an int >= 0; got -1"),
        ({"max_retries": True}, r"max_retries must be an int >= 0; got True"),
        ({"setup_timeout": 0}, r"setup_timeout must be a positive number of seconds; got 0"),
        ({"stall_timeout": "10"}, r"stall_timeout must be a positive number of seconds; got '10'"),
        ({"progress": "yes"}, r"progress must be one of 'auto', 'bar', 'log', 'off' \(or True for 'auto', False for "
                              r"'off'\); got 'yes'"),
    ],
)
def test_bad_values_name_the_key_and_what_is_allowed(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        DaskExecutor(config=values)


def test_resume_off_is_really_off(client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    executor = DaskExecutor(client=client, config={"resume": False})
    assert executor.settings.resume is False


def test_the_readme_table_lists_every_key_with_its_default() -> None:
    text = README.read_text()
    table_text = text[text.index("| `DaskExecutor(config={...})` key |") :].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \|", table_text, flags=re.MULTILINE)
    table = {key: default.strip() for key, default in rows}
    expected = {key: default for key, default, _ in DaskExecutorConfig.describe_fields()}
    assert set(table) == set(expected), "README's DaskExecutor config table and DaskExecutorConfig differ"
    for key, default in expected.items():
        shown = "`None`" if default is None else f"`{default!r}`" if isinstance(default, str) else f"`{default}`"
        assert table[key].split(" ")[0] == shown, f"README shows {table[key]!r} as the default of {key}"
