package catalog

import (
	"database/sql"
	"embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		n, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: not numbered", e.Name())
		}
		b, err := migrations.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{n, e.Name(), string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want number %d", m.name, i+1)
		}
	}
	return out, nil
}

// SchemaVersion is the layout this code writes: the number of the last
// migration.
func SchemaVersion() int {
	ms, _ := loadMigrations()
	return len(ms)
}

// migrate applies, in order and each in its own transaction, the
// migrations the database has not had. The first release set no
// user_version: a database at 0 that has a documents table is at 1.
func migrate(db *sql.DB) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := apply(db, m, len(ms)); err != nil {
			return err
		}
	}
	return nil
}

func apply(db *sql.DB, m migration, latest int) error {
	tx, err := db.Begin() // immediate: another process migrating waits
	if err != nil {
		return err
	}
	defer tx.Rollback()
	version, err := schemaVersion(tx)
	if err != nil {
		return err
	}
	if version > latest {
		return fmt.Errorf("its layout is %d, newer than this sohoa's %d: run the newer sohoa", version, latest)
	}
	if version >= m.version {
		return nil
	}
	if _, err := tx.Exec(m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return err
	}
	return tx.Commit()
}

func schemaVersion(tx *sql.Tx) (int, error) {
	var version, first int
	if err := tx.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		return 0, err
	}
	if version == 0 {
		err := tx.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'documents'").Scan(&first)
		if err != nil {
			return 0, err
		}
		version = first
	}
	return version, nil
}
