-- The rows of register pages, a person each, as far as they were read
-- surely or confirmed: a procedure system looks a diploma up by its
-- register number, its serial, the person's CCCD, or name and birth date.
CREATE TABLE entries (
	document_id  TEXT NOT NULL,
	row          INTEGER NOT NULL,
	name_key     TEXT NOT NULL DEFAULT '',
	ngay_sinh    TEXT NOT NULL DEFAULT '',
	so_hieu      TEXT NOT NULL DEFAULT '',
	so_vao_so    TEXT NOT NULL DEFAULT '',
	so_dinh_danh TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (document_id, row)
);
CREATE INDEX entries_so_vao_so ON entries (so_vao_so) WHERE so_vao_so != '';
CREATE INDEX entries_so_hieu ON entries (so_hieu) WHERE so_hieu != '';
CREATE INDEX entries_so_dinh_danh ON entries (so_dinh_danh) WHERE so_dinh_danh != '';
CREATE INDEX entries_name ON entries (name_key, ngay_sinh) WHERE name_key != '';
