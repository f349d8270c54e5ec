-- Verify pgqueue:schema/channel_stats_type on pg

SELECT (NULL::pgq.channel_stats).channel, (NULL::pgq.channel_stats).depth, (NULL::pgq.channel_stats).oldest_age_seconds, (NULL::pgq.channel_stats).delayed, (NULL::pgq.channel_stats).leased, (NULL::pgq.channel_stats).dead, (NULL::pgq.channel_stats).enqueued, (NULL::pgq.channel_stats).consumed;
