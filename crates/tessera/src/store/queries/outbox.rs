//! The mail outbox: messages are inserted by requests and claimed, retried
//! and deleted by the senders of every instance.

use sqlx::{ColumnIndex, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use super::{secs, Dialect, SqlStore};
use crate::store::{OutboxMessage, OutgoingMail, StoreError};

#[derive(FromRow)]
struct OutboxRow {
    id: i64,
    recipient: String,
    subject: String,
    text_body: String,
    html_body: String,
    created_at: i64,
    attempts: i64,
}

impl<DB: Dialect> SqlStore<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB> + ColumnIndex<DB::Row>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    pub(in crate::store) async fn enqueue_mail(
        &self,
        mail: &OutgoingMail,
        now: u64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO mail_outbox (recipient, subject, text_body, html_body, created_at, \
             attempts, next_attempt_at, claimed_until) VALUES ($1, $2, $3, $4, $5, 0, $5, 0)",
        )
        .bind(mail.to.as_str())
        .bind(mail.subject.as_str())
        .bind(mail.text.as_str())
        .bind(mail.html.as_str())
        .bind(now as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(in crate::store) async fn claim_mail(
        &self,
        now: u64,
        claim_until: u64,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        // One statement: the claim re-checks `claimed_until`, so of two
        // instances racing for a row one gets it (Postgres re-reads a row it
        // waited for; SQLite runs one writer at a time), and on Postgres
        // SKIP LOCKED lets the other take the next rows instead of waiting.
        let rows = sqlx::query_as::<_, OutboxRow>(&format!(
            "UPDATE mail_outbox SET claimed_until = $2, attempts = attempts + 1 \
             WHERE claimed_until <= $1 AND id IN (SELECT id FROM mail_outbox \
             WHERE next_attempt_at <= $1 AND claimed_until <= $1 ORDER BY id LIMIT $3{}) \
             RETURNING id, recipient, subject, text_body, html_body, created_at, attempts",
            DB::SKIP_LOCKED
        ))
        .bind(now as i64)
        .bind(claim_until as i64)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut claimed: Vec<OutboxMessage> = rows
            .into_iter()
            .map(|row| OutboxMessage {
                id: row.id,
                mail: OutgoingMail {
                    to: row.recipient,
                    subject: row.subject,
                    text: row.text_body,
                    html: row.html_body,
                },
                created_at: secs(row.created_at),
                attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            })
            .collect();
        claimed.sort_by_key(|message| message.id);
        Ok(claimed)
    }

    #[cfg(test)]
    pub(in crate::store) async fn pending_mail(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox")
            .fetch_one(&self.pool)
            .await?)
    }

    pub(in crate::store) async fn delete_mail(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM mail_outbox WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(in crate::store) async fn retry_mail(
        &self,
        id: i64,
        next_attempt_at: u64,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE mail_outbox SET next_attempt_at = $2, claimed_until = 0, last_error = $3 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(next_attempt_at as i64)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
