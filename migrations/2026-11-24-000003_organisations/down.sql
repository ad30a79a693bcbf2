DROP TABLE memberships;
DROP TABLE providers;
DROP TABLE locations;
DROP TABLE businesses;
