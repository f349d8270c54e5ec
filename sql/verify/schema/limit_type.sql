-- Verify pgqueue:schema/limit_type on pg

SELECT (NULL::pgq.api_limit).name, (NULL::pgq.api_limit).value;
