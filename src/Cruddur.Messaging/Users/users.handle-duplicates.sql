-- Handles that differ only in case, one line per person-to-be: what blocks the case-insensitive unique index.
SELECT string_agg(handle, ' / ' ORDER BY handle) FROM public.users GROUP BY lower(handle) HAVING count(*) > 1 ORDER BY lower(handle)
