-- Deploy pgqueue:functions/_validation to pg
-- requires: functions/_validation@v1.5
-- requires: functions/limits
--
-- Private helpers that turn bad input into named errors. The API functions
-- call them first, so a caller sees SQLSTATE 22004 (null) or 22023 (invalid
-- value) with a readable message, never a bare constraint violation (23514)
-- or a silent NULL result.
--
-- One style for every check: _check_not_null, _check_range and _check_length
-- name the parameter; bounds come from pgq._limit(). Parameters are always
-- qualified with their function's name. CREATE OR REPLACE keeps the helpers'
-- owner, and the CHECK constraint of pgq.channel_settings that calls
-- pgq._valid_channel.

BEGIN;

-- The one definition of a valid channel, shared by pgq.channel_settings' CHECK
-- constraint and the API. It must start with a letter or digit so that "."
-- and ".." can never be a channel in a URL path such as /queue/{channel}.
-- Its {0,63} is pgq.limits()'s channel_length minus one; a pattern is no place
-- for a function call in a CHECK constraint, and pgTAP checks the two agree.
CREATE OR REPLACE FUNCTION pgq._valid_channel(channel text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN _valid_channel.channel ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

CREATE OR REPLACE FUNCTION pgq._check_channel(channel text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    PERFORM pgq._check_not_null('channel', _check_channel.channel);
    IF NOT pgq._valid_channel(_check_channel.channel) THEN
        RAISE EXCEPTION 'channel must be 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('got %s characters: %s', length(_check_channel.channel), left(_check_channel.channel, 80));
    END IF;
END
$$;

-- Whether a message keeps within pgq.limits()'s max_message_depth and
-- max_message_bytes: what a consumer and the gateway can always read back.
-- Size is the length of the message's JSON text as PostgreSQL writes it
-- (jsonb's output), which is what every consumer receives.
--
-- A plain SQL expression, inlined into the caller's IF, so the common case
-- costs what pg_column_size() costs: the stored (binary) size alone proves
-- most messages fit, and only the rest is walked or written out.
--   Depth: each level below the top costs at least 8 bytes of jsonb, the
--   container's header and its JEntry in the parent (4 each), and the top
--   level 8 with the varlena header: a value nested d deep takes at least 8d
--   bytes (8d - 3 with a 1-byte header, which only values under 127 bytes
--   have). Under 8 * (max_message_depth + 1) - 3 bytes it cannot be too deep;
--   above, jsonb_path_exists walks it, in C and never below level
--   max_message_depth (a container there is one level too many).
--   Size: no byte of jsonb writes more than 14,746 bytes of text. A number is
--   the worst: a JEntry (4) and a numeric of at least 6 bytes write at most
--   147,459 (a sign, numeric's 131,072 digits before the point and 16,383
--   after, the point, and ", "), 14,746 per byte; a string byte writes at most
--   6 ("\u001f"), a JEntry or a header at most 7 ("false, ", "": ", "{}").
--   At most max_message_bytes / 14,746 bytes (71) proves the text fits;
--   above, the text is written out and measured. Numbers are why no larger
--   shortcut exists: 8 times 1e131071 is 146 bytes of jsonb and 1 MiB of text.
-- pg_column_size() counts a compressed value's compressed bytes, which say
-- nothing about its depth or text: such a value (one read from a table) is
-- always measured.
CREATE OR REPLACE FUNCTION pgq._message_fits(message jsonb)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (pg_column_compression(_message_fits.message) IS NULL
        AND pg_column_size(_message_fits.message) < 8 * (pgq._limit('max_message_depth') + 1) - 3
        OR NOT jsonb_path_exists(_message_fits.message,
                                 ('strict $.**{' || pgq._limit('max_message_depth')
                                  || '} ? (@.type() == "object" || @.type() == "array")')::jsonpath))
   AND (pg_column_compression(_message_fits.message) IS NULL
        AND pg_column_size(_message_fits.message) <= pgq._limit('max_message_bytes') / 14746
        OR octet_length(_message_fits.message::text) <= pgq._limit('max_message_bytes'));

-- A message must be a JSON object within the limits above. Past them the
-- error is program_limit_exceeded (54000) and gives the message's size or
-- depth; the depth is counted on the text (brackets outside strings), which
-- needs no recursion however deep the message, and only on this path.
CREATE OR REPLACE FUNCTION pgq._check_message(message jsonb, name text DEFAULT 'message')
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    size bigint;
    depth bigint;
BEGIN
    PERFORM pgq._check_not_null(_check_message.name, _check_message.message);
    IF jsonb_typeof(_check_message.message) <> 'object' THEN
        RAISE EXCEPTION '% must be a JSON object, not %', _check_message.name, jsonb_typeof(_check_message.message)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pgq._message_fits(_check_message.message) THEN
        RETURN;
    END IF;
    size := octet_length(_check_message.message::text);
    IF size > pgq._limit('max_message_bytes') THEN
        RAISE EXCEPTION '% must take at most % bytes as JSON text, got %',
            _check_message.name, pgq._limit('max_message_bytes'), size
            USING ERRCODE = 'program_limit_exceeded';
    END IF;
    SELECT max(s.level) INTO depth
    FROM (SELECT sum(CASE WHEN b.bracket IN ('{', '[') THEN 1 ELSE -1 END) OVER (ORDER BY b.position) AS level
          FROM regexp_split_to_table(regexp_replace(regexp_replace(_check_message.message::text,
                                                                   '"(?:[^"\\]|\\.)*"', '', 'g'),
                                                    '[^][{}]', '', 'g'), '')
               WITH ORDINALITY AS b(bracket, position)) AS s;
    RAISE EXCEPTION '% must nest at most % levels deep, got %', _check_message.name, pgq._limit('max_message_depth'), depth
        USING ERRCODE = 'program_limit_exceeded';
END
$$;

-- pgq._check_message() as a value, for a check inside a statement: the
-- message itself if it passes.
CREATE OR REPLACE FUNCTION pgq._checked_message(message jsonb, name text)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    PERFORM pgq._check_message(_checked_message.message, _checked_message.name);
    RETURN _checked_message.message;
END
$$;

-- Any parameter that must be given: the message names it.
CREATE OR REPLACE FUNCTION pgq._check_not_null(name text, value anyelement)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF _check_not_null.value IS NULL THEN
        RAISE EXCEPTION '% must not be null', _check_not_null.name USING ERRCODE = 'null_value_not_allowed';
    END IF;
END
$$;

-- For integer parameters such as take and skip: NULL and out-of-range
-- values get the parameter's name in the message.
CREATE OR REPLACE FUNCTION pgq._check_range(name text, value bigint, lowest bigint, highest bigint)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF _check_range.value IS NULL THEN  -- inline, not _check_not_null: the hot paths call this one
        RAISE EXCEPTION '% must not be null', _check_range.name USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF _check_range.value < _check_range.lowest OR _check_range.value > _check_range.highest THEN
        RAISE EXCEPTION '% must be between % and %, got %',
            _check_range.name, _check_range.lowest, _check_range.highest, _check_range.value
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

-- For text parameters such as dedup_key: NULL names the parameter, a length
-- out of range names "length of" it.
CREATE OR REPLACE FUNCTION pgq._check_length(name text, value text, lowest bigint, highest bigint)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    PERFORM pgq._check_not_null(_check_length.name, _check_length.value);
    PERFORM pgq._check_range('length of ' || _check_length.name, length(_check_length.value),
                             _check_length.lowest, _check_length.highest);
END
$$;

-- PUBLIC may execute every new function by default, and a per-schema
-- default privilege cannot take that away: revoke explicitly, here and in
-- every change that adds a function.
REVOKE ALL ON FUNCTION
    pgq._valid_channel(text),
    pgq._check_channel(text),
    pgq._message_fits(jsonb),
    pgq._check_message(jsonb, text),
    pgq._checked_message(jsonb, text),
    pgq._check_not_null(text, anyelement),
    pgq._check_range(text, bigint, bigint, bigint),
    pgq._check_length(text, text, bigint, bigint)
FROM PUBLIC;

COMMIT;
