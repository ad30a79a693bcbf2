-- A buyer's rating of a delivered order (once, editable for 14 days), and the provider's one
-- public reply.
CREATE TABLE order_ratings (
  order_id    uuid PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
  business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE RESTRICT,
  provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE RESTRICT,
  stars       smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
  comment     text NOT NULL DEFAULT '' CHECK (length(comment) <= 1000),
  rated_by    uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  reply       text CHECK (reply IS NULL OR length(reply) BETWEEN 1 AND 1000),
  replied_by  uuid REFERENCES users (id) ON DELETE SET NULL,
  replied_at  timestamptz,
  CHECK ((reply IS NULL) = (replied_at IS NULL))
);
CREATE INDEX order_ratings_provider_idx ON order_ratings (provider_id, created_at DESC);
CREATE INDEX order_ratings_business_idx ON order_ratings (business_id);
CREATE INDEX order_ratings_rated_by_idx ON order_ratings (rated_by) WHERE rated_by IS NOT NULL;
CREATE INDEX order_ratings_replied_by_idx ON order_ratings (replied_by) WHERE replied_by IS NOT NULL;

-- Each provider's trust score and its parts over the last 90 days, kept current by a job so
-- discovery reads one indexed row per provider. A null score means "new": too few orders.
CREATE TABLE provider_trust (
  provider_id     uuid PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
  computed_at     timestamptz NOT NULL,
  orders          integer NOT NULL CHECK (orders >= 0),
  on_time         numeric(5, 4) CHECK (on_time BETWEEN 0 AND 1),
  fill            numeric(5, 4) CHECK (fill BETWEEN 0 AND 1),
  upheld          numeric(5, 4) CHECK (upheld BETWEEN 0 AND 1),
  confirm_minutes integer CHECK (confirm_minutes >= 0),
  ratings         integer NOT NULL CHECK (ratings >= 0),
  rating          numeric(3, 2) CHECK (rating BETWEEN 1 AND 5),
  score           smallint CHECK (score BETWEEN 0 AND 100)
);
CREATE INDEX provider_trust_score_idx ON provider_trust (score DESC NULLS LAST);
