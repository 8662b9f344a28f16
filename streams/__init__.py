"""geotension: a stream processor for geopolitical tension.

News articles and GDELT rows flow through Apache Kafka; faust agents code them into dyadic
events between watched actors and keep event-time escalation indicators per dyad.
"""

__version__ = "0.2.0"
