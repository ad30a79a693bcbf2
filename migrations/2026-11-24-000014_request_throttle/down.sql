DROP TABLE throttled_requests;
