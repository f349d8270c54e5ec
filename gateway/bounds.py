"""Every bound a pgq parameter must keep, as pgq.limits() states it in SQL (sql/functions/limits.sql).

The database enforces them; the gateway repeats them only to document them in /openapi.json and to
refuse early what the database would refuse anyway. tests/sql/test_limits.py reads pgq.limits() on a
deployed database and fails when SQL_LIMITS differs, so a bound changes in the SQL and here together.
"""

from __future__ import annotations

from typing import Final

CHANNEL_LENGTH: Final = 64  # characters in a channel name
MAX_DELAY_SECONDS: Final = 604_800  # enqueue's delay_seconds: 7 days
MAX_VISIBILITY_SECONDS: Final = 43_200  # a lease's visibility, extend_lease's seconds, nack's delay: 12 hours
MAX_TAKE: Final = 100  # messages per dequeue or lease
MAX_LIST_TAKE: Final = 300  # rows per peek or dead_letters page
MAX_SKIP: Final = 2**31 - 1  # peek's and dead_letters' skip: an integer
MAX_BATCH: Final = 10_000  # messages per enqueue_batch
DEDUP_KEY_LENGTH: Final = 128  # characters in a dedup_key
GROUP_KEY_LENGTH: Final = 128  # characters in a group_key
MAX_DEDUP_WINDOW_SECONDS: Final = 604_800  # configure's dedup_window: 7 days
MAX_DELIVERIES: Final = 1_000  # configure's max_deliveries
LISTENER_LENGTH: Final = 64  # characters in a watch listener
MAX_WATCHED_CHANNELS: Final = 10_000  # channels per watch call
MAX_WATCH_TTL_SECONDS: Final = 3_600  # how long a watch registration lasts unless renewed
MAX_MESSAGE_DEPTH: Final = 200  # levels a message nests: {} is 1, {"a": {}} is 2
MAX_MESSAGE_BYTES: Final = 1_048_576  # bytes of a message as JSON text (jsonb's own output): 1 MiB

# pgq.limits() row by row: name -> value.
SQL_LIMITS: Final = {
    "channel_length": CHANNEL_LENGTH,
    "max_delay_seconds": MAX_DELAY_SECONDS,
    "max_visibility_seconds": MAX_VISIBILITY_SECONDS,
    "max_take": MAX_TAKE,
    "max_list_take": MAX_LIST_TAKE,
    "max_skip": MAX_SKIP,
    "max_batch": MAX_BATCH,
    "dedup_key_length": DEDUP_KEY_LENGTH,
    "group_key_length": GROUP_KEY_LENGTH,
    "max_dedup_window_seconds": MAX_DEDUP_WINDOW_SECONDS,
    "max_deliveries": MAX_DELIVERIES,
    "listener_length": LISTENER_LENGTH,
    "max_watched_channels": MAX_WATCHED_CHANNELS,
    "max_watch_ttl_seconds": MAX_WATCH_TTL_SECONDS,
    "max_message_depth": MAX_MESSAGE_DEPTH,
    "max_message_bytes": MAX_MESSAGE_BYTES,
}

# Where the gateway is deliberately stricter than the database.
# POST /messages takes at most 1,000 messages, not pgq.enqueue_batch's 10,000: the gateway parses
# and checks a whole batch in memory before one transaction inserts it on one pooled connection,
# and a smaller batch keeps both short for the other clients. A bulk loader calls
# pgq.enqueue_batch directly (support/load.py) and gets the database's limit.
HTTP_MAX_BATCH: Final = 1_000
# GET /messages' and GET /dead-letters' offset: at most 10,000, not peek's and dead_letters' 2^31 - 1.
# An offset makes the database walk past that many rows on a pooled connection; a client that pages
# further deep is better served by dequeuing or by SQL.
HTTP_MAX_OFFSET: Final = 10_000
# GET /queue/{channel}'s wait, in seconds, as SQS allows: a long poll holds a request slot no longer.
HTTP_MAX_WAIT: Final = 20
