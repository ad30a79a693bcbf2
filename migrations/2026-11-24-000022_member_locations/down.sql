DROP TABLE membership_locations;
