-- An orderer can be limited to some of the business's delivery addresses (a chef who
-- orders for one site of a group). No rows means every address.
CREATE TABLE membership_locations (
  membership_id uuid NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
  location_id   uuid NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
  PRIMARY KEY (membership_id, location_id)
);
CREATE INDEX membership_locations_location_idx ON membership_locations (location_id);
