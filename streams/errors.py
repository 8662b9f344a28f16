"""One exception root for the product, with a subclass per layer.

    TensionError                 every error the product raises on purpose
    ├── ConfigError              a config file or environment variable is wrong
    ├── SchemaError              bytes that are not a record we know (codec, record checks)
    ├── BrokerError              the local broker cannot be started, stopped or reached
    ├── TaggingError             an article cannot be tagged
    ├── IndicatorError           an event cannot enter the indicators (e.g. beyond the horizon)
    ├── InputError               a user's file or option is wrong (CLI)
    └── ReplayError              a replay, topic copy, group rewind or ingest cannot proceed

Messages are one line and name the file, key, address or field involved, so the CLI can
print them as they are and agents can put them in a dead letter's ``reason``.
"""

from __future__ import annotations


class TensionError(Exception):
    """Root of every error geotension raises on purpose."""


class ConfigError(TensionError):
    """A configuration file or environment override is invalid."""


class SchemaError(TensionError):
    """Bytes or a record that does not match a known schema."""


class BrokerError(TensionError):
    """The Kafka broker cannot be started, stopped or reached."""


class TaggingError(TensionError):
    """An article cannot be tagged."""


class IndicatorError(TensionError):
    """An event cannot be applied to the indicators."""


class InputError(TensionError):
    """A user-supplied file or option is wrong."""


class ReplayError(TensionError):
    """A replay, topic copy, group rewind or feed ingest cannot proceed (broker, topic, group)."""
