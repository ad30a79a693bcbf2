"""Times "Place orders" for five carts at once: each round fills one cart per provider (one
product each), reads /checkout for the keys, cart names and first delivery slots it shows,
and posts the page's form. Prints p50/p95/p99 and how many orders each round placed."""
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request

BASE, COOKIE, ROUNDS = os.environ["BASE"], os.environ["COOKIE"], int(os.environ["ROUNDS"])
HEADERS = {"Cookie": f"larder_session={COOKIE}"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def call(path, data=None):
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    req = urllib.request.Request(BASE + path, data=body, headers=HEADERS)
    try:
        with OPENER.open(req) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def products():
    sql = """SELECT DISTINCT ON (provider_id) id FROM products
              WHERE provider_id IN (SELECT id FROM providers ORDER BY slug LIMIT 5) AND active
              ORDER BY provider_id, id"""
    out = subprocess.run(["psql", "-qtA", os.environ["DATABASE_URL"], "-c", sql],
                         capture_output=True, text=True, check=True).stdout
    return out.split()


def main():
    wanted = products()
    _, page = call("/account")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
    times, placed = [], []
    for _ in range(ROUNDS):
        for product in wanted:
            call("/cart/items", {"csrf_token": token, "product_id": product, "quantity": "3", "back": "/cart"})
        _, page = call("/checkout")
        form = {"csrf_token": token,
                "location": re.search(r'<option value="([0-9a-f-]{36})" selected', page).group(1)}
        for field, value in re.findall(r'name="((?:key|cart)_[0-9a-f-]{36})" value="([^"]*)"', page):
            form[field] = value
        for provider, slot in re.findall(r'name="date_([0-9a-f-]{36})">\s*<option value="([^"]+)"', page):
            form[f"date_{provider}"] = slot
            form[f"include_{provider}"] = "on"
        start = time.perf_counter()
        status, body = call("/checkout", form)
        times.append((time.perf_counter() - start) * 1000)
        placed.append(f"{status}:{len(re.findall(r'LD-[0-9]{6}', body))}")
    times.sort()
    pick = lambda p: times[min(len(times) - 1, int(len(times) * p))]
    outcomes = {o: placed.count(o) for o in set(placed)}
    print(f"POST /checkout with {len(wanted)} carts: p50={pick(0.5):.2f} p95={pick(0.95):.2f} "
          f"p99={pick(0.99):.2f} n={len(times)} outcomes(status:orders)={outcomes}")


main()
