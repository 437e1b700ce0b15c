/*
 * sql_sqlite.c - the store's statements and schema for SQLite
 *
 * One text for every StoreSql number (store_sql.h), in SQLite's
 * dialect: ?N parameters, COLLATE NOCASE for addresses (ASCII case
 * only), RETURNING (SQLite 3.35 and later). The claim needs no row
 * locks: BEGIN IMMEDIATE holds the one write lock.
 *
 * migrations[] takes a file from PRAGMA user_version 0 to the latest
 * (STORE_SCHEMA_VERSION). A new version appends one entry; an entry
 * never changes once released. Timestamps are integer seconds since
 * the epoch (UTC). Outbox recipients live in a child table, in order,
 * so that a recipient is never parsed back out of a string; each
 * carries its own delivery outcome (schema 3), since a relay may take
 * one and refuse another.
 */
#include "config.h"

#include <glib.h>

#include "store/store.h"
#include "store/store_sql.h"

/* the 27 parameters of a whole shares row (SHARE_COLUMNS) */
#define SHARE_PARAMS_SQLITE                                                    \
	"?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "                                 \
	"?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "                        \
	"?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27"

const char *const sqlite_sql[SQL_N] = {
	[SQL_MEMBER_INSERT] =
	    "INSERT INTO members (address, name, handle, capabilities,"
	    " created_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
	[SQL_MEMBER_BY_ADDRESS] =
	    "SELECT " MEMBER_COLUMNS " FROM members WHERE address = ?1",
	[SQL_MEMBER_BY_HANDLE] =
	    "SELECT " MEMBER_COLUMNS " FROM members WHERE handle = ?1",
	[SQL_MEMBER_LIST] =
	    "SELECT " MEMBER_COLUMNS " FROM members ORDER BY id",
	[SQL_SHARE_FIND] = "SELECT id FROM shares WHERE sharer = ?1"
			   " AND recipient = ?2 AND origin_key = ?3",
	[SQL_SHARE_INSERT] =
	    "INSERT INTO shares (sharer, recipient, recipient_name,"
	    " requester, requester_name, subject, note, origin_key, status,"
	    " queue_id, created_at, member_name, requester_org,"
	    " request_text, request_date, passed_by, origin_message_id, mode,"
	    " token, asked_at, expires_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"
	    " ON CONFLICT DO NOTHING"
	    " RETURNING id",
	[SQL_SHARE_LIST] = "SELECT " SHARE_COLUMNS " FROM shares ORDER BY id",
	[SQL_SHARE_COUNT_BY_SHARER] = "SELECT COUNT(*) FROM shares"
				      " WHERE sharer = ?1 AND created_at >= ?2",
	[SQL_SHARE_COUNT_TO_RECIPIENT] =
	    "SELECT COUNT(*) FROM shares WHERE recipient = ?1 COLLATE NOCASE"
	    " AND created_at >= ?2",
	[SQL_SHARE_SETTLE] = "UPDATE shares SET status = ?2 WHERE id ="
			     " (SELECT share_id FROM outbox WHERE id = ?1"
			     " AND kind = 'intro')",
	[SQL_OUTBOX_INSERT] =
	    "INSERT INTO outbox (share_id, kind, mail_from, subject, message,"
	    " status, attempts, next_attempt_at, created_at, template)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, 'queued', 0, ?6, ?7, ?8)"
	    " RETURNING id",
	[SQL_RCPT_INSERT] = "INSERT INTO outbox_rcpts (outbox_id, position,"
			    " address) VALUES (?1, ?2, ?3)",
	[SQL_RCPT_LOAD] = "SELECT address, status, code, text, attempts"
			  " FROM outbox_rcpts WHERE outbox_id = ?1"
			  " ORDER BY position",
	[SQL_OUTBOX_LOAD] =
	    "SELECT " ITEM_COLUMNS ", message FROM outbox WHERE id = ?1",
	[SQL_OUTBOX_LIST] = "SELECT " ITEM_COLUMNS " FROM outbox ORDER BY id",
	[SQL_CLAIM] = "UPDATE outbox SET status = 'sending', claimed_at = ?1,"
		      " lease_until = ?1 + ?2, claim = claim + 1,"
		      " attempts = attempts + 1"
		      " WHERE id IN (SELECT id FROM outbox"
		      "  WHERE (status = 'queued' AND next_attempt_at <= ?1)"
		      "  OR (status = 'sending' AND lease_until < ?1)"
		      "  ORDER BY next_attempt_at, id LIMIT ?3)"
		      " RETURNING id",
	[SQL_RCPT_SETTLE] = "UPDATE outbox_rcpts SET status = ?2"
			    " WHERE outbox_id = ?1"
			    " AND status IN ('queued', 'deferred')",
	[SQL_OUTBOX_SENT] = "UPDATE outbox SET status = 'sent', sent_at = ?2,"
			    " claimed_at = NULL, lease_until = NULL"
			    " WHERE id = ?1",
	[SQL_OUTBOX_RETRY] = "UPDATE outbox SET status = 'queued',"
			     " next_attempt_at = ?2, last_error = ?3,"
			     " claimed_at = NULL, lease_until = NULL"
			     " WHERE id = ?1",
	[SQL_OUTBOX_FAILED] = "UPDATE outbox SET status = 'failed',"
			      " last_error = ?2, claimed_at = NULL,"
			      " lease_until = NULL WHERE id = ?1",
	[SQL_FENCE] = "SELECT 1 FROM outbox WHERE id = ?1 AND claim = ?2"
		      " AND status = 'sending'",
	[SQL_EXTEND] = "UPDATE outbox SET lease_until = ?3 WHERE id = ?1"
		       " AND claim = ?2 AND status = 'sending'",
	[SQL_RCPT_WRITE] =
	    "UPDATE outbox_rcpts SET status = ?3, code = ?4, text = ?5,"
	    " attempts = ?6 WHERE outbox_id = ?1 AND position = ?2",
	[SQL_OUTBOX_WRITE] =
	    "UPDATE outbox SET status = ?2, next_attempt_at = ?3,"
	    " sent_at = ?4, last_error = ?5, claimed_at = NULL,"
	    " lease_until = NULL WHERE id = ?1",
	[SQL_SUPPRESSION_UPSERT] =
	    "INSERT INTO suppression (address, code, reason, outbox_id,"
	    " created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (address) DO UPDATE SET code = excluded.code,"
	    " reason = excluded.reason, outbox_id = excluded.outbox_id,"
	    " created_at = excluded.created_at",
	[SQL_SUPPRESSION_HAS] = "SELECT 1 FROM suppression WHERE address = ?1",
	[SQL_STATS_MEMBERS] = "SELECT COUNT(*) FROM members",
	[SQL_STATS_SHARES] =
	    "SELECT status, COUNT(*) FROM shares GROUP BY status",
	[SQL_STATS_OUTBOX] =
	    "SELECT status, COUNT(*) FROM outbox GROUP BY status",
	[SQL_STATS_OUTBOX_KIND] = "SELECT kind || '/' || status, COUNT(*)"
				  " FROM outbox GROUP BY kind, status",
	[SQL_STATS_FAILED_RCPTS] = "SELECT o.kind, COUNT(*) FROM outbox_rcpts r"
				   " JOIN outbox o ON o.id = r.outbox_id"
				   " WHERE r.status = 'failed' GROUP BY o.kind",
	[SQL_STATS_DEFERRED_RCPTS] =
	    "SELECT o.kind, COUNT(*) FROM outbox_rcpts r"
	    " JOIN outbox o ON o.id = r.outbox_id"
	    " WHERE r.status = 'deferred' GROUP BY o.kind",
	[SQL_STATS_RETRYING] = "SELECT COUNT(*) FROM outbox"
			       " WHERE status = 'queued' AND attempts > 0",
	[SQL_STATS_OLDEST_UNSENT] =
	    "SELECT MIN(created_at) FROM outbox"
	    " WHERE status IN ('queued', 'sending')", /* store copy: rows in key order, a page at a time, so that a
	 * large outbox never sits in memory whole; inserts with the ids */
	[SQL_COPY_MEMBERS_READ] =
	    "SELECT " COPY_MEMBERS_COLUMNS " FROM members WHERE id > ?1"
	    " ORDER BY id LIMIT ?2",
	[SQL_COPY_MEMBERS_WRITE] =
	    "INSERT INTO members (" COPY_MEMBERS_COLUMNS
	    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " ?10, ?11, ?12, ?13)",
	[SQL_COPY_SHARES_READ] =
	    "SELECT " COPY_SHARES_COLUMNS " FROM shares WHERE id > ?1"
	    " ORDER BY id LIMIT ?2",
	[SQL_COPY_SHARES_WRITE] = "INSERT INTO shares (" COPY_SHARES_COLUMNS
				  ") VALUES (" SHARE_PARAMS_SQLITE ")",
	[SQL_COPY_OUTBOX_READ] =
	    "SELECT " COPY_OUTBOX_COLUMNS " FROM outbox WHERE id > ?1"
	    " ORDER BY id LIMIT ?2",
	[SQL_COPY_OUTBOX_WRITE] = "INSERT INTO outbox (" COPY_OUTBOX_COLUMNS
				  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
				  " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
	[SQL_COPY_RCPTS_READ] =
	    "SELECT " COPY_RCPTS_COLUMNS " FROM outbox_rcpts"
	    " WHERE (outbox_id, position) > (?1, ?2)"
	    " ORDER BY outbox_id, position LIMIT ?3",
	[SQL_COPY_RCPTS_WRITE] = "INSERT INTO outbox_rcpts (" COPY_RCPTS_COLUMNS
				 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[SQL_COPY_SUPPRESSION_READ] = "SELECT " COPY_SUPPRESSION_COLUMNS
				      " FROM suppression ORDER BY address",
	[SQL_COPY_SUPPRESSION_WRITE] =
	    "INSERT INTO suppression (" COPY_SUPPRESSION_COLUMNS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[SQL_COPY_COUNT_MEMBERS] = "SELECT COUNT(*) FROM members",
	[SQL_COPY_COUNT_SHARES] = "SELECT COUNT(*) FROM shares",
	[SQL_COPY_COUNT_OUTBOX] = "SELECT COUNT(*) FROM outbox",
	[SQL_COPY_COUNT_RCPTS] = "SELECT COUNT(*) FROM outbox_rcpts",
	[SQL_COPY_COUNT_SUPPRESSION] = "SELECT COUNT(*) FROM suppression",
	/* nothing to do: an INTEGER PRIMARY KEY (no AUTOINCREMENT) takes
	 * the largest id plus one by itself; a harmless statement keeps
	 * the domain code the same on both engines */
	[SQL_COPY_SEQUENCES] = "SELECT 1",
	[SQL_SHARE_GET] = "SELECT " SHARE_COLUMNS " FROM shares WHERE id = ?1",
	[SQL_SHARE_BY_TOKEN] =
	    "SELECT " SHARE_COLUMNS " FROM shares WHERE token = ?1",
	[SQL_SHARE_ANSWER] =
	    "UPDATE shares SET status = ?3, answer = ?4, reason = ?5,"
	    " answered_at = ?6, replies = 0 WHERE id = ?1 AND status = ?2"
	    " RETURNING id",
	[SQL_SHARE_REPLIED] =
	    "UPDATE shares SET replies = replies + 1 WHERE id = ?1"
	    " AND status = 'asked' AND replies < ?2 RETURNING replies",
	[SQL_SHARE_REMIND_DUE] =
	    "UPDATE shares SET reminded_at = ?1 WHERE id IN (SELECT id"
	    " FROM shares WHERE status = 'asked' AND reminded_at IS NULL"
	    " AND asked_at <= ?1 - ?3 AND expires_at > ?1"
	    " ORDER BY asked_at, id LIMIT ?2) RETURNING id",
	[SQL_SHARE_EXPIRE_DUE] =
	    "UPDATE shares SET status = 'expired', answered_at = ?1,"
	    " replies = 0"
	    " WHERE id IN (SELECT id FROM shares WHERE status = 'asked'"
	    " AND expires_at <= ?1 ORDER BY expires_at, id LIMIT ?2)"
	    " RETURNING id",
	[SQL_SHARE_COUNT_ASKED] =
	    "SELECT COUNT(*) FROM shares WHERE recipient = ?1 COLLATE NOCASE"
	    " AND mode = 'ask' AND created_at >= ?2",
	[SQL_SHARE_OPEN_FOR_PAIR] =
	    "SELECT id, sharer FROM shares WHERE requester = ?1 COLLATE NOCASE"
	    " AND recipient = ?2 COLLATE NOCASE AND status = 'asked'"
	    " ORDER BY id LIMIT 1",
	[SQL_MEMBER_SET] =
	    "UPDATE members SET consent = COALESCE(?2, consent),"
	    " confirm = COALESCE(?3, confirm) WHERE address = ?1",
	[SQL_OUTBOX_RENDERED] =
	    "UPDATE outbox SET message = ?3, subject = ?4 WHERE id = ?1"
	    " AND claim = ?2 AND status = 'sending'",
	[SQL_PRIVACY_SHARES] =
	    "SELECT " SHARE_COLUMNS " FROM shares WHERE sharer = ?1"
	    " COLLATE NOCASE OR recipient = ?1 COLLATE NOCASE"
	    " OR requester = ?1 COLLATE NOCASE ORDER BY id",
	[SQL_PRIVACY_OUTBOX_CONCERNS] =
	    "SELECT id FROM outbox WHERE share_id IN (SELECT id FROM shares"
	    " WHERE sharer = ?1 COLLATE NOCASE OR recipient = ?1"
	    " COLLATE NOCASE OR requester = ?1 COLLATE NOCASE)"
	    " OR id IN (SELECT outbox_id FROM outbox_rcpts"
	    " WHERE address = ?1 COLLATE NOCASE) ORDER BY id",
	/* lower() is ASCII only, as NOCASE; a blob read as text */
	[SQL_PRIVACY_OUTBOX_MENTIONS] =
	    "SELECT id FROM outbox"
	    " WHERE instr(lower(CAST(message AS TEXT)), lower(?1)) > 0"
	    " OR instr(lower(COALESCE(subject, '')), lower(?1)) > 0"
	    " OR instr(lower(COALESCE(last_error, '')), lower(?1)) > 0"
	    " ORDER BY id",
	[SQL_PRIVACY_SUPPRESSION] =
	    "SELECT " COPY_SUPPRESSION_COLUMNS " FROM suppression"
	    " WHERE address = ?1 OR address = ?2 ORDER BY address",
	[SQL_PRIVACY_RCPTS_DELETE] =
	    "DELETE FROM outbox_rcpts WHERE outbox_id IN (SELECT id FROM"
	    " outbox WHERE share_id IN (SELECT id FROM shares"
	    " WHERE sharer = ?1 COLLATE NOCASE))",
	[SQL_PRIVACY_OUTBOX_DELETE] =
	    "DELETE FROM outbox WHERE share_id IN (SELECT id FROM shares"
	    " WHERE sharer = ?1 COLLATE NOCASE)",
	[SQL_PRIVACY_SHARES_DELETE] =
	    "DELETE FROM shares WHERE sharer = ?1 COLLATE NOCASE",
	/* every SET reads the row as it was */
	[SQL_PRIVACY_SHARES_BLANK] =
	    "UPDATE shares SET"
	    " recipient = CASE WHEN recipient = ?1 COLLATE NOCASE"
	    "  THEN 'forgotten@invalid' ELSE recipient END,"
	    " recipient_name = CASE WHEN recipient = ?1 COLLATE NOCASE"
	    "  THEN NULL ELSE recipient_name END,"
	    " requester = CASE WHEN requester = ?1 COLLATE NOCASE"
	    "  THEN 'forgotten@invalid' ELSE requester END,"
	    " requester_name = CASE WHEN requester = ?1 COLLATE NOCASE"
	    "  THEN NULL ELSE requester_name END,"
	    " requester_org = CASE WHEN requester = ?1 COLLATE NOCASE"
	    "  THEN NULL ELSE requester_org END,"
	    " origin_message_id = CASE WHEN requester = ?1 COLLATE NOCASE"
	    "  THEN NULL ELSE origin_message_id END,"
	    " origin_key = 'forgotten:' || id, subject = NULL, note = NULL,"
	    " request_text = NULL, reason = NULL, passed_by = NULL,"
	    " token = NULL,"
	    " answered_at = CASE WHEN status IN ('queued', 'asked',"
	    "  'accepted') THEN ?2 ELSE answered_at END,"
	    " status = CASE WHEN status IN ('queued', 'asked', 'accepted')"
	    "  THEN 'expired' ELSE status END"
	    " WHERE recipient = ?1 COLLATE NOCASE"
	    " OR requester = ?1 COLLATE NOCASE",
	[SQL_PRIVACY_OUTBOX_EMPTY] =
	    "UPDATE outbox SET message = ?2, subject = NULL, template = NULL,"
	    " last_error = CASE WHEN status IN ('queued', 'sending')"
	    "  THEN 'not sent: forgotten on request' ELSE NULL END,"
	    " status = CASE WHEN status IN ('queued', 'sending')"
	    "  THEN 'failed' ELSE status END,"
	    " claimed_at = NULL, lease_until = NULL WHERE id = ?1",
	[SQL_PRIVACY_RCPTS_CLOSE] =
	    "UPDATE outbox_rcpts SET status = 'failed',"
	    " text = 'not sent: forgotten on request'"
	    " WHERE outbox_id = ?1 AND status IN ('queued', 'deferred')",
	[SQL_PRIVACY_RCPTS_REPLACE] =
	    "UPDATE outbox_rcpts SET address = 'forgotten@invalid',"
	    " text = NULL WHERE address = ?1 COLLATE NOCASE",
	[SQL_PRIVACY_MEMBER_DELETE] = "DELETE FROM members WHERE address = ?1",
	[SQL_PRIVACY_SUPPRESSION_DELETE] =
	    "DELETE FROM suppression WHERE address = ?1",
	[SQL_PRIVACY_SUPPRESSION_HASH] =
	    "INSERT INTO suppression (address, code, reason, outbox_id,"
	    " created_at) VALUES (?1, NULL, 'forgotten on request', NULL, ?2)"
	    " ON CONFLICT (address) DO NOTHING",
	[SQL_PRIVACY_SECURE_DELETE] = "PRAGMA secure_delete = ON",
	[SQL_PRIVACY_VACUUM] = "VACUUM",
	[SQL_PRIVACY_CHECKPOINT] = "PRAGMA wal_checkpoint(TRUNCATE)",
	[SQL_SETTING_GET] = "SELECT value FROM settings WHERE name = ?1",
	[SQL_SETTING_ADD] = "INSERT INTO settings (name, value)"
			    " VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
	[SQL_COPY_SETTINGS_READ] =
	    "SELECT " COPY_SETTINGS_COLUMNS " FROM settings ORDER BY name",
	[SQL_COPY_SETTINGS_WRITE] =
	    "INSERT INTO settings (" COPY_SETTINGS_COLUMNS ") VALUES (?1, ?2)",
	[SQL_COPY_COUNT_SETTINGS] = "SELECT COUNT(*) FROM settings",
	[SQL_COPY_DIGESTS_READ] = "SELECT " COPY_DIGESTS_COLUMNS
				  " FROM digests ORDER BY member_id, week",
	[SQL_COPY_DIGESTS_WRITE] = "INSERT INTO digests (" COPY_DIGESTS_COLUMNS
				   ") VALUES (?1, ?2, ?3, ?4)",
	[SQL_COPY_COUNT_DIGESTS] = "SELECT COUNT(*) FROM digests",
	[SQL_COPY_CREDITS_READ] =
	    "SELECT " COPY_CREDITS_COLUMNS
	    " FROM share_credits ORDER BY share_id, member",
	[SQL_COPY_CREDITS_WRITE] =
	    "INSERT INTO share_credits (" COPY_CREDITS_COLUMNS
	    ") VALUES (?1, ?2, ?3)",
	[SQL_COPY_COUNT_CREDITS] = "SELECT COUNT(*) FROM share_credits",
	[SQL_MEMBER_TOKEN_SET] = "UPDATE members SET unsub_token = ?2"
				 " WHERE address = ?1 AND unsub_token IS NULL",
	[SQL_MEMBER_BY_TOKEN] =
	    "SELECT " MEMBER_COLUMNS " FROM members WHERE unsub_token = ?1",
	[SQL_MEMBER_UNSUBSCRIBE] =
	    "UPDATE members SET digest_day = 'never' WHERE unsub_token = ?1"
	    " AND (digest_day IS NULL OR digest_day <> 'never')",
	[SQL_SHARE_NOTED] =
	    "UPDATE shares SET replies = 1 WHERE id = ?1"
	    " AND status <> 'asked' AND replies = 0 RETURNING id",
	[SQL_SHARE_CREDIT] = "INSERT INTO share_credits (share_id, member,"
			     " created_at) VALUES (?1, ?2, ?3)"
			     " ON CONFLICT DO NOTHING RETURNING share_id",
	[SQL_SHARE_CREDITS] =
	    "SELECT member FROM share_credits"
	    " WHERE share_id = ?1 ORDER BY created_at, member",
	[SQL_PRIVACY_CREDITS_DELETE] =
	    "DELETE FROM share_credits WHERE member = ?1 COLLATE NOCASE",
	[SQL_OUTBOX_SAME_QUEUED] =
	    "SELECT o.id FROM outbox o JOIN outbox_rcpts r ON r.outbox_id = "
	    "o.id"
	    " WHERE o.share_id = ?1 AND o.template = ?2 AND o.status = 'queued'"
	    " AND r.address = ?3 COLLATE NOCASE AND NOT EXISTS (SELECT 1"
	    " FROM outbox_rcpts x WHERE x.outbox_id = o.id AND x.position > 0)"
	    " LIMIT 1",
	[SQL_DIGEST_CANDIDATES] =
	    "SELECT " MEMBER_COLUMNS ","
	    " CASE WHEN EXISTS (SELECT 1 FROM digests d"
	    "  WHERE d.member_id = members.id AND d.week = ?2) THEN 1 ELSE 0 "
	    "END,"
	    " CASE WHEN EXISTS (SELECT 1 FROM digests d"
	    "  WHERE d.member_id = members.id AND d.week = ?3) THEN 1 ELSE 0 "
	    "END"
	    " FROM members WHERE id > ?1"
	    " AND (digest_day IS NULL OR digest_day <> 'never')"
	    " AND NOT (EXISTS (SELECT 1 FROM digests d"
	    "  WHERE d.member_id = members.id AND d.week = ?2)"
	    "  AND EXISTS (SELECT 1 FROM digests d"
	    "  WHERE d.member_id = members.id AND d.week = ?3))"
	    " ORDER BY id LIMIT ?4",
	/* sharer is the member's address as stored (milter/share.c). The
	 * unary + keeps the planner off the status index (shares_asked):
	 * by status it would read every open share of the site for each
	 * member; by recipient it reads the member's own */
	[SQL_DIGEST_SHARED_BY] =
	    "SELECT " SHARE_COLUMNS ", b.mid FROM (SELECT id AS mid,"
	    " address AS maddr FROM members WHERE id BETWEEN ?1 AND ?2) b"
	    " JOIN shares ON shares.sharer = b.maddr"
	    " WHERE (created_at >= ?3 AND created_at < ?4)"
	    " OR (answered_at >= ?3 AND answered_at < ?4)"
	    " ORDER BY b.mid, id",
	[SQL_DIGEST_SHARED_WITH] =
	    "SELECT * FROM (SELECT " SHARE_COLUMNS ", b.mid,"
	    " (SELECT MAX(o.sent_at) FROM outbox o WHERE o.share_id = shares.id"
	    "  AND o.kind = 'intro') AS sent"
	    " FROM (SELECT id AS mid, address AS maddr FROM members"
	    " WHERE id BETWEEN ?1 AND ?2) b"
	    " JOIN shares ON shares.recipient = b.maddr COLLATE NOCASE"
	    " WHERE +status = 'introduced') x"
	    " WHERE sent >= ?3 AND sent < ?4 ORDER BY mid, id",
	[SQL_DIGEST_WAITING] =
	    "SELECT " SHARE_COLUMNS ", b.mid FROM (SELECT id AS mid,"
	    " address AS maddr FROM members WHERE id BETWEEN ?1 AND ?2) b"
	    " JOIN shares ON shares.recipient = b.maddr COLLATE NOCASE"
	    " WHERE +status = 'asked' AND token IS NOT NULL ORDER BY b.mid, id",
	/* worked out: no outcome is recorded yet (flow/digest.c says 0) */
	[SQL_DIGEST_BALANCE] =
	    "SELECT id,"
	    " (SELECT COUNT(*) FROM shares s WHERE s.sharer = members.address)"
	    " + (SELECT COUNT(*) FROM share_credits c"
	    "  WHERE c.member = members.address),"
	    " (SELECT COUNT(*) FROM shares s WHERE s.sharer = members.address"
	    "  AND s.created_at >= ?3)"
	    " + (SELECT COUNT(*) FROM share_credits c"
	    "  WHERE c.member = members.address AND c.created_at >= ?3),"
	    " (SELECT COUNT(*) FROM shares s"
	    "  WHERE s.recipient = members.address COLLATE NOCASE"
	    "  AND +s.status = 'introduced'),"
	    " (SELECT COUNT(*) FROM shares s"
	    "  WHERE s.recipient = members.address COLLATE NOCASE"
	    "  AND +s.status = 'introduced' AND s.created_at >= ?3)"
	    " FROM members WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
	[SQL_DIGEST_TOP] =
	    "SELECT COALESCE(m.name, m.handle), COUNT(*) FROM members m"
	    " JOIN shares s ON s.sharer = m.address"
	    " WHERE m.public_credit = 1"
	    " AND COALESCE(m.name, m.handle) IS NOT NULL"
	    " AND s.created_at >= ?1 AND s.created_at < ?2"
	    " GROUP BY m.id, m.name, m.handle ORDER BY COUNT(*) DESC, m.id"
	    " LIMIT ?3",
	[SQL_DIGEST_INSERT] =
	    "INSERT INTO digests (member_id, week, created_at)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (member_id, week) DO NOTHING"
	    " RETURNING member_id",
	[SQL_DIGEST_SET_OUTBOX] = "UPDATE digests SET outbox_id = ?3"
				  " WHERE member_id = ?1 AND week = ?2",
	[SQL_MEMBER_SET_DIGEST] =
	    "UPDATE members SET"
	    " digest_day = CASE WHEN ?3 = 1 THEN ?2 ELSE digest_day END,"
	    " digest_hour = CASE WHEN ?5 = 1 THEN ?4 ELSE digest_hour END,"
	    " tz = CASE WHEN ?7 = 1 THEN ?6 ELSE tz END,"
	    " public_credit = CASE WHEN ?9 = 1 THEN ?8 ELSE public_credit END"
	    " WHERE address = ?1",
	[SQL_PRIVACY_DIGESTS] =
	    "SELECT " COPY_DIGESTS_COLUMNS " FROM digests WHERE member_id IN"
	    " (SELECT id FROM members WHERE address = ?1) ORDER BY week",
	[SQL_PRIVACY_DIGESTS_DELETE] =
	    "DELETE FROM digests WHERE member_id IN"
	    " (SELECT id FROM members WHERE address = ?1)",
};

const StoreMigration sqlite_migrations[] = {
	/* 0 -> 1: members, shares, outbox */
	{ 0, 1,
	    "CREATE TABLE members ("
	    "  id INTEGER PRIMARY KEY,"
	    "  address TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	    "  name TEXT,"
	    "  handle TEXT UNIQUE,"
	    "  capabilities TEXT,"
	    "  created_at INTEGER NOT NULL"
	    ");"
	    "CREATE TABLE shares ("
	    "  id INTEGER PRIMARY KEY,"
	    "  sharer TEXT NOT NULL,"
	    "  recipient TEXT NOT NULL,"
	    "  recipient_name TEXT,"
	    "  requester TEXT NOT NULL,"
	    "  requester_name TEXT,"
	    "  subject TEXT,"
	    "  note TEXT,"
	    "  origin_key TEXT NOT NULL,"
	    "  status TEXT NOT NULL DEFAULT 'queued',"
	    "  queue_id TEXT,"
	    "  created_at INTEGER NOT NULL,"
	    "  UNIQUE (sharer, recipient, origin_key)"
	    ");"
	    "CREATE INDEX shares_status ON shares (status);"
	    "CREATE TABLE outbox ("
	    "  id INTEGER PRIMARY KEY,"
	    "  share_id INTEGER REFERENCES shares (id) ON DELETE CASCADE,"
	    "  kind TEXT NOT NULL CHECK (kind IN ('intro', 'consent',"
	    "    'confirmation', 'notice', 'digest', 'webhook')),"
	    "  mail_from TEXT NOT NULL,"
	    "  subject TEXT,"
	    "  message BLOB NOT NULL,"
	    "  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN"
	    "    ('queued', 'sending', 'sent', 'failed')),"
	    "  attempts INTEGER NOT NULL DEFAULT 0,"
	    "  next_attempt_at INTEGER NOT NULL,"
	    "  claimed_at INTEGER,"
	    "  last_error TEXT,"
	    "  created_at INTEGER NOT NULL,"
	    "  sent_at INTEGER"
	    ");"
	    /* the due-claim query: queued by time, and stale 'sending' claims */
	    "CREATE INDEX outbox_due ON outbox (status, next_attempt_at);"
	    "CREATE INDEX outbox_claimed ON outbox (status, claimed_at);"
	    "CREATE INDEX outbox_share ON outbox (share_id);"
	    "CREATE TABLE outbox_rcpts ("
	    "  outbox_id INTEGER NOT NULL REFERENCES outbox (id)"
	    "    ON DELETE CASCADE,"
	    "  position INTEGER NOT NULL,"
	    "  address TEXT NOT NULL,"
	    "  PRIMARY KEY (outbox_id, position)"
	    ") WITHOUT ROWID;" },
	/* 1 -> 2: the rate-limit counts run for every share; without these
	 * they scanned every share of the member, or of the whole table */
	{ 1, 2,
	    "CREATE INDEX shares_by_sharer ON shares (sharer, created_at);"
	    "CREATE INDEX shares_by_recipient ON shares"
	    "  (recipient COLLATE NOCASE, created_at);" },
	/* 2 -> 3: leases and fencing for claims (lease_until, claim), each
	 * recipient's own outcome, and the addresses that bounced for good.
	 * A recipient is queued (not tried yet), deferred (4xx, tried
	 * again), sent or failed; rows already settled keep their outcome
	 * on every recipient. A claim in flight keeps the old timeout. */
	{ 2, 3,
	    "ALTER TABLE outbox ADD COLUMN lease_until INTEGER;"
	    "ALTER TABLE outbox ADD COLUMN claim INTEGER NOT NULL DEFAULT 0;"
	    "UPDATE outbox SET lease_until = claimed_at + 600"
	    "  WHERE status = 'sending';"
	    "DROP INDEX outbox_claimed;"
	    "CREATE INDEX outbox_lease ON outbox (status, lease_until);"
	    "ALTER TABLE outbox_rcpts ADD COLUMN status TEXT NOT NULL"
	    "  DEFAULT 'queued' CHECK (status IN ('queued', 'deferred', 'sent',"
	    "  'failed'));"
	    "ALTER TABLE outbox_rcpts ADD COLUMN code INTEGER;"
	    "ALTER TABLE outbox_rcpts ADD COLUMN text TEXT;"
	    "ALTER TABLE outbox_rcpts ADD COLUMN attempts INTEGER NOT NULL"
	    "  DEFAULT 0;"
	    "UPDATE outbox_rcpts SET status = (SELECT status FROM outbox"
	    "  WHERE outbox.id = outbox_rcpts.outbox_id)"
	    "  WHERE outbox_id IN (SELECT id FROM outbox"
	    "  WHERE status IN ('sent', 'failed'));"
	    "CREATE TABLE suppression ("
	    "  address TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,"
	    "  code INTEGER,"
	    "  reason TEXT,"
	    "  outbox_id INTEGER,"
	    "  created_at INTEGER NOT NULL"
	    ");" },
	/* 3 -> 4: the consent flow (issue 10). A share keeps the facts
	 * every mail about it is written from (the milter records, the
	 * worker renders: an outbox row whose message is empty is rendered
	 * at its first send, its template naming which mail); mode 'ask'
	 * shares wait for the friend's answer to intro+TOKEN@. Members may
	 * choose ask or direct and whether to get confirmations. */
	{ 3, 4,
	    "ALTER TABLE shares ADD COLUMN member_name TEXT;"
	    "ALTER TABLE shares ADD COLUMN requester_org TEXT;"
	    "ALTER TABLE shares ADD COLUMN request_text TEXT;"
	    "ALTER TABLE shares ADD COLUMN request_date INTEGER;"
	    "ALTER TABLE shares ADD COLUMN passed_by TEXT;"
	    "ALTER TABLE shares ADD COLUMN origin_message_id TEXT;"
	    "ALTER TABLE shares ADD COLUMN mode TEXT NOT NULL DEFAULT 'direct'"
	    "  CHECK (mode IN ('ask', 'direct'));"
	    "ALTER TABLE shares ADD COLUMN token TEXT;"
	    "ALTER TABLE shares ADD COLUMN asked_at INTEGER;"
	    "ALTER TABLE shares ADD COLUMN reminded_at INTEGER;"
	    "ALTER TABLE shares ADD COLUMN answered_at INTEGER;"
	    "ALTER TABLE shares ADD COLUMN expires_at INTEGER;"
	    "ALTER TABLE shares ADD COLUMN answer TEXT;"
	    "ALTER TABLE shares ADD COLUMN reason TEXT;"
	    "ALTER TABLE shares ADD COLUMN replies INTEGER NOT NULL DEFAULT 0;"
	    "CREATE UNIQUE INDEX shares_token ON shares (token);"
	    "CREATE INDEX shares_asked ON shares (status, asked_at);"
	    "CREATE INDEX shares_pair ON shares"
	    "  (requester COLLATE NOCASE, recipient COLLATE NOCASE, status);"
	    "ALTER TABLE members ADD COLUMN consent TEXT"
	    "  CHECK (consent IN ('ask', 'direct'));"
	    "ALTER TABLE members ADD COLUMN confirm INTEGER;"
	    "ALTER TABLE outbox ADD COLUMN template TEXT;" },
	/* 4 -> 5: settings, a name and a value; "forget_salt" (the key
	 * of the hashes "passalong forget" leaves on the suppression
	 * list) is written there by the first forget */
	{ 4, 5,
	    "CREATE TABLE settings ("
	    "  name TEXT NOT NULL PRIMARY KEY,"
	    "  value TEXT NOT NULL"
	    ");" },
	/* 5 -> 6: digests and credit. A member chooses the digest's day
	 * ('mon'..'sun', 'never'; NULL: the site's default), hour (0-23;
	 * NULL: the default) and IANA time zone (NULL: UTC), whether their
	 * name may appear among the week's top sharers, and owns one
	 * unsubscribe token (made when first needed). digests holds one row
	 * per member per ISO week ("2026-W49"): the unique key that makes a
	 * digest go out exactly once however many runs race. share_credits
	 * names every member credited with a share besides its sharer: the
	 * members whose later share of the same request to the same friend
	 * was merged into it. */
	{ 5, 6,
	    "ALTER TABLE members ADD COLUMN digest_day TEXT"
	    "  CHECK (digest_day IN ('mon', 'tue', 'wed', 'thu', 'fri', 'sat',"
	    "    'sun', 'never'));"
	    "ALTER TABLE members ADD COLUMN digest_hour INTEGER"
	    "  CHECK (digest_hour BETWEEN 0 AND 23);"
	    "ALTER TABLE members ADD COLUMN tz TEXT;"
	    "ALTER TABLE members ADD COLUMN public_credit INTEGER NOT NULL"
	    "  DEFAULT 0;"
	    "ALTER TABLE members ADD COLUMN unsub_token TEXT;"
	    "CREATE UNIQUE INDEX members_unsub_token ON members (unsub_token);"
	    "CREATE TABLE digests ("
	    "  member_id INTEGER NOT NULL REFERENCES members (id)"
	    "    ON DELETE CASCADE,"
	    "  week TEXT NOT NULL,"
	    "  outbox_id INTEGER REFERENCES outbox (id) ON DELETE SET NULL,"
	    "  created_at INTEGER NOT NULL,"
	    "  PRIMARY KEY (member_id, week)"
	    ");"
	    "CREATE TABLE share_credits ("
	    "  share_id INTEGER NOT NULL REFERENCES shares (id)"
	    "    ON DELETE CASCADE,"
	    "  member TEXT NOT NULL COLLATE NOCASE,"
	    "  created_at INTEGER NOT NULL,"
	    "  PRIMARY KEY (share_id, member)"
	    ");"
	    "CREATE INDEX share_credits_member ON share_credits (member);" },
	/* 6 -> 7: at most one open request per requester and friend
	 * (issue 10): a later share of the same request to the same friend
	 * by another member is merged into the open one (credited in
	 * share_credits) instead of asking the friend again. The partial
	 * unique index is what makes that hold when two messages race;
	 * open requests recorded twice before it are merged here the same
	 * way: the oldest stays open, the later ones credit their member
	 * on it and close as expired (without a notice: their member hears
	 * the oldest one's outcome). */
	{ 6, 7,
	    "INSERT OR IGNORE INTO share_credits (share_id, member, created_at)"
	    "  SELECT o.id, s.sharer, s.created_at FROM shares s"
	    "  JOIN shares o ON o.id = (SELECT MIN(f.id) FROM shares f"
	    "    WHERE f.status = 'asked'"
	    "    AND f.requester = s.requester COLLATE NOCASE"
	    "    AND f.recipient = s.recipient COLLATE NOCASE)"
	    "  WHERE s.status = 'asked' AND o.id < s.id"
	    "  AND o.sharer <> s.sharer COLLATE NOCASE;"
	    "UPDATE shares SET status = 'expired', answered_at = created_at"
	    "  WHERE status = 'asked' AND EXISTS (SELECT 1 FROM shares f"
	    "    WHERE f.status = 'asked' AND f.id < shares.id"
	    "    AND f.requester = shares.requester COLLATE NOCASE"
	    "    AND f.recipient = shares.recipient COLLATE NOCASE);"
	    "CREATE UNIQUE INDEX shares_open_pair ON shares"
	    "  (requester COLLATE NOCASE, recipient COLLATE NOCASE)"
	    "  WHERE status = 'asked';" },
	/* 7 -> 8: two indexes no query needs, each a WAL page in every
	 * share's commit (a share commits 17-19 pages; bench/README.md):
	 * shares_status (status leads shares_asked) and shares_pair (the
	 * open pair's look-up names status = 'asked' and reads the partial
	 * shares_open_pair) */
	{ 7, 8,
	    "DROP INDEX shares_status;"
	    "DROP INDEX shares_pair;" },
	{ 0, 0, NULL }, /* the end */
};
