from playwright.sync_api import Page
from linkwork.accounts.roles import Role

def test_probe_all(new_page, make_staff, sign_in) -> None:
    admin = make_staff("sam.admin", [Role.ORGANISATION_ADMIN], first_name="Samantha-Josephine-Extraordinarily-Longname")
    for vp in [{"width": 360, "height": 740}, {"width": 320, "height": 640}]:
        page = new_page(viewport=vp, is_mobile=True, has_touch=True)
        page.goto("/sign-in/")
        print("signin width", page.evaluate("() => document.documentElement.scrollWidth"))
        sign_in(page, admin)
        page.goto("/staff/add/"); page.get_by_role("button", name="Add and send sign-in link").click()
        page.goto("/teams/"); 
        for url in ["/", "/staff/", "/staff/add/", f"/staff/{admin.pk}/", f"/staff/{admin.pk}/edit/", "/teams/", "/tokens/", "/audit/", "/password-reset/"]:
            page.goto(url)
            page.add_script_tag(path="node_modules/axe-core/axe.min.js")
            r = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa','best-practice']}})")
            print(vp["width"], url, page.evaluate("() => document.documentElement.scrollWidth"), [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5]) for v in r["violations"]])
        # error states
        for url, button in [("/staff/add/", "Add and send sign-in link"), ("/teams/", None), ("/tokens/", None)]:
            page.goto(url)
            if button:
                page.get_by_role("button", name=button).click()
            else:
                page.locator("main form button[type=submit]").last.click()
            page.add_script_tag(path="node_modules/axe-core/axe.min.js")
            r = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa','best-practice']}})")
            print("ERR", vp["width"], url, page.title(), page.evaluate("() => document.documentElement.scrollWidth"), [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5]) for v in r["violations"]])
