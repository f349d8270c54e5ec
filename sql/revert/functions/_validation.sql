-- Revert pgqueue:functions/_validation from pg: back to the helpers of @v1.5, replaced in place;
-- pgq._message_fits() and pgq._checked_message() go.

BEGIN;

DROP FUNCTION pgq._message_fits(jsonb);
DROP FUNCTION pgq._checked_message(jsonb, text);

-- The one definition of a valid channel, shared by the table's CHECK
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

CREATE OR REPLACE FUNCTION pgq._check_message(message jsonb, name text DEFAULT 'message')
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    PERFORM pgq._check_not_null(_check_message.name, _check_message.message);
    IF jsonb_typeof(_check_message.message) <> 'object' THEN
        RAISE EXCEPTION '% must be a JSON object, not %', _check_message.name, jsonb_typeof(_check_message.message)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
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
    pgq._check_message(jsonb, text),
    pgq._check_not_null(text, anyelement),
    pgq._check_range(text, bigint, bigint, bigint),
    pgq._check_length(text, text, bigint, bigint)
FROM PUBLIC;

COMMIT;
