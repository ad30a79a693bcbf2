-- htmx "Add to cart": a POST with the session's CSRF header, as the page sends it.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["HX-Request"] = "true"
wrk.headers["X-CSRF-Token"] = os.getenv("CSRF")
wrk.body = "product_id=" .. os.getenv("PRODUCT") .. "&quantity=1"
dofile(os.getenv("BENCH_DIR") .. "/p95.lua")
