-- Prerequisites (a JSON array of {"flag", "variants"}, NULL for none) and flags stored as flagd
-- loads them (an import with strict=false): those compile leniently, serving PARSE_ERROR where
-- their targeting cannot compile, until an edit replaces what was wrong.
ALTER TABLE flag_environments ADD COLUMN prerequisites TEXT;
ALTER TABLE flag_environments ADD COLUMN lenient SMALLINT NOT NULL DEFAULT 0;
