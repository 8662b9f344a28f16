"""Pure tagging: articles in, TaggedEvent records out. No Kafka or faust imports here.

The contract every caller relies on (the tag agent, ``geotension tag``, tests)::

    from streams.tagging import Tagger
    tagger = Tagger.from_settings(settings)        # built from config/actors.yaml + events.yaml
    events = tagger.tag(article)                   # article: NewsArticle record (dict)

``tag`` is deterministic, never raises for odd text, and returns TaggedEvent records (dicts
with the field names of ``schemas/TaggedEvent.avsc``, ``event_time`` a UTC datetime).
"""

from streams.tagging.coder import Tagger

__all__ = ["Tagger"]
