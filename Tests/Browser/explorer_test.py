"""The explorer in a real browser: headless Chromium driven by Selenium, against `kglog serve`
on the sample. It runs a query, follows a term to its entity view and checks the graph's nodes
and edges, opens a why tree, and sorts the sources. On a failure it saves a screenshot under
.build/ and exits with 1.

    python3 Tests/Browser/explorer_test.py PATH-TO-KGLOG
"""
import os
import subprocess
import sys
import tempfile
import time
import traceback

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start_server(kglog, folder):
    database = os.path.join(folder, "kb.kglog")
    subprocess.run([kglog, "run", "--db", database, os.path.join(ROOT, "samples", "csto.kgl")],
                   check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([kglog, "serve", "--db", database, "--port", "0", "--token", "browser-test"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    if " at http://" not in line:
        raise SystemExit("the server did not start: " + line + server.stderr.read())
    return server, line.strip().split(" at ")[-1]


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"]:
        options.add_argument(argument)
    binary = "/usr/bin/chromium"
    if os.path.exists(binary):
        options.binary_location = binary
    service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver") if os.path.exists("/usr/bin/chromedriver") else None
    return webdriver.Chrome(options=options, service=service) if service else webdriver.Chrome(options=options)


def title(driver):
    """The view's title, read in one step (a view draws its title again once its data is in)."""
    return driver.execute_script("const h = document.querySelector('h1'); return h ? h.textContent : '';")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def run(driver, address):
    wait = WebDriverWait(driver, 20)

    # A query, typed and run with the button; its answer is a table of links.
    driver.get(address + "/#/query")
    box = wait.until(ready.presence_of_element_located((By.ID, "query")))
    box.clear()
    box.send_keys("?- member-of(X, csto), member-of(X, cis).")
    driver.find_element(By.ID, "run").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#answer tbody tr")) > 0)
    cells = driver.execute_script("return [...document.querySelectorAll('#answer tbody td')].map(c => c.textContent);")
    check(cells == ["armenia", "belarus", "kazakhstan", "kyrgyzstan", "russia", "tajikistan", "uzbekistan"], "the answer: %r" % cells)
    check("q=" in driver.current_url, "the query is in the URL: " + driver.current_url)

    # An error shows a caret under its column, and Ctrl+Enter runs the query.
    box = driver.find_element(By.ID, "query")
    box.clear()
    box.send_keys("?- member-of(X, csto")
    box.send_keys(Keys.CONTROL, Keys.ENTER)
    error = wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "pre.error"))).text
    check(error.splitlines()[0].startswith("1:21: error: expected"), "the error: %r" % error)
    check(error.splitlines()[-1] == " " * 20 + "^", "the caret: %r" % error)

    # A typo: no answer, and a note naming the nearest known name.
    box = driver.find_element(By.ID, "query")
    box.clear()
    box.send_keys("?- member-of(armenai, O).")
    box.send_keys(Keys.CONTROL, Keys.ENTER)
    note = wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "p.note"))).text
    check(note == "note: 'armenai' appears in no fact; did you mean 'armenia'?", "the note: %r" % note)

    # A term of the answer leads to its entity view: the graph and the table of facts.
    driver.get(address + "/#/query?q=" + "%3F-%20member-of(kazakhstan%2C%20O).")
    link = wait.until(ready.element_to_be_clickable((By.LINK_TEXT, "csto")))
    link.click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "svg.graph g.node")) > 0)
    check(title(driver) == "csto", "the entity view's title")
    nodes = sorted(node.get_attribute("data-term") for node in driver.find_elements(By.CSS_SELECTOR, "svg.graph g.node"))
    expected_nodes = sorted(['"Collective Security Treaty Organization"', '"ОДКБ"', "armenia", "belarus", "csto",
                             "csto-council-2012-05", "kazakhstan", "kyrgyzstan", "russia", "tajikistan", "uzbekistan"])
    check(nodes == expected_nodes, "the graph's nodes: %r" % nodes)
    edges = sorted((edge.get_attribute("data-from"), edge.get_attribute("data-label"), edge.get_attribute("data-to"))
                   for edge in driver.find_elements(By.CSS_SELECTOR, "svg.graph g.edge"))
    check(("armenia", "member-of", "csto") in edges, "an edge into the centre: %r" % edges)
    check({edge[0] for edge in edges} | {edge[2] for edge in edges} == set(expected_nodes), "every neighbour has an edge: %r" % edges)
    check(all(edge[2] == "csto" or edge[0] == "csto" for edge in edges), "every edge touches the centre: %r" % edges)

    # A node leads to that term's view; a fact of the table to its why tree.
    driver.find_element(By.CSS_SELECTOR, 'svg.graph g.node[data-term="armenia"] circle').click()
    wait.until(lambda d: title(d) == "armenia" and len(d.find_elements(By.ID, "facts")) > 0)
    facts = driver.execute_script("return [...document.querySelectorAll('#facts tbody tr td:first-child')].map(c => c.textContent);")
    check("member-of(armenia, csto)" in facts, "armenia's facts: %r" % facts)
    driver.get(address + "/#/why?fact=ally(armenia%2C%20kazakhstan)")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#why details")) > 0)
    summaries = [s.text for s in driver.find_elements(By.CSS_SELECTOR, "#why summary")]
    check(summaries[0] == "ally(armenia, kazakhstan)", "the tree's root: %r" % summaries[:1])
    check(any(s.startswith("member-of(armenia, csto)") and "single source: arminfo-2012-04-27" in s for s in summaries),
          "a single-source fact is marked: %r" % summaries)
    check(not any(s.startswith("member-of(kazakhstan, csto)") and "single source" in s for s in summaries),
          "a fact of two sources is not: %r" % summaries)
    # Collapsing a derivation hides its premises.
    first = driver.find_elements(By.CSS_SELECTOR, "#why ul.tree > li > details")[0]
    first.find_element(By.TAG_NAME, "summary").click()
    check(first.get_attribute("open") is None, "the derivation collapses")

    # Sources: sorted by facts, most first, with a click on the header twice.
    driver.get(address + "/#/sources")
    header = wait.until(ready.element_to_be_clickable((By.XPATH, "//th/button[starts-with(., 'facts')]")))
    header.click()
    wait.until(lambda d: "sort=facts" in d.current_url)
    driver.find_element(By.XPATH, "//th/button[starts-with(., 'facts')]").click()
    wait.until(lambda d: "order=desc" in d.current_url)
    read_counts = "return [...document.querySelectorAll('#sources tbody tr td:last-child')].map(c => +c.textContent);"
    try:
        wait.until(lambda d: (lambda counts: len(counts) == 5 and counts == sorted(counts, reverse=True))(d.execute_script(read_counts)))
    except Exception:
        raise AssertionError("the sources by facts, most first: %r" % driver.execute_script(read_counts))
    check(len(driver.find_elements(By.CSS_SELECTOR, "svg.timeline circle")) == 5, "the timeline has every dated source")


def main():
    kglog = sys.argv[1]
    with tempfile.TemporaryDirectory() as folder:
        server, address = start_server(kglog, folder)
        driver = None
        try:
            driver = browser()
            run(driver, address)
            print("explorer: the browser tests passed")
        except Exception:
            traceback.print_exc()
            if driver is not None:
                shot = os.path.join(ROOT, ".build", "explorer-failure-%d.png" % int(time.time()))
                os.makedirs(os.path.dirname(shot), exist_ok=True)
                driver.save_screenshot(shot)
                print("screenshot: " + shot, file=sys.stderr)
            sys.exit(1)
        finally:
            if driver is not None:
                driver.quit()
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
