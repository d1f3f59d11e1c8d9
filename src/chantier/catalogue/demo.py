"""Demo catalogue of a small general contractor (plâtrerie, électricité, plomberie):
items of every kind, categories and subcategories, 2 kits and assemblies (ouvrages), one
of them nested three levels deep. Prices are plausible, not real supplier prices."""

# ruff: noqa: E501  (data tables read best one row per line)

from __future__ import annotations

from decimal import Decimal

from chantier.catalogue import costing, selectors, services
from chantier.catalogue.models import Category, Item
from chantier.core.models import Company, User
from chantier.parties.models import Supplier

D = Decimal
SUPPLY, LABOUR, SERVICE, DISCOUNT, EQUIPMENT = (k.value for k in Item.Kind)

# fmt: off
# Category -> subcategories (a category without subcategories holds its items itself).
CATEGORIES = {
    "Plâtrerie": ["Plaques", "Ossatures", "Accessoires et joints", "Isolation"],
    "Électricité": ["Câbles et gaines", "Appareillage"],
    "Plomberie": ["Tubes et raccords", "Sanitaires"],
    "Taux horaires": [],
    "Location de matériel": [],
    "Prestations": [],
}
# Supplier names of the parties demo, by trade.
SUPPLIER_OF = {"Plâtrerie": "Point P", "Électricité": "Rexel", "Plomberie": "Cedeo"}

# (reference, name, kind, unit, purchase cost, sale price, VAT, "Category/Subcategory")
SIMPLE_ITEMS = [
    ("PLA-BA13", "Plaque de plâtre BA13 standard 2500 × 1200", SUPPLY, "m²", "2.85", "5.90", "20", "Plâtrerie/Plaques"),
    ("PLA-BA13H", "Plaque de plâtre BA13 hydrofuge H1", SUPPLY, "m²", "4.20", "8.50", "20", "Plâtrerie/Plaques"),
    ("PLA-BA13F", "Plaque de plâtre BA13 feu", SUPPLY, "m²", "4.60", "9.20", "20", "Plâtrerie/Plaques"),
    ("OSS-R48", "Rail R48 longueur 3 m", SUPPLY, "ml", "1.25", "2.60", "20", "Plâtrerie/Ossatures"),
    ("OSS-M48", "Montant M48 longueur 3 m", SUPPLY, "ml", "1.65", "3.40", "20", "Plâtrerie/Ossatures"),
    ("OSS-F530", "Fourrure F530", SUPPLY, "ml", "1.10", "2.30", "20", "Plâtrerie/Ossatures"),
    ("ACC-VIS25", "Vis TTPC 25 mm", SUPPLY, "u", "0.012", "0.03", "20", "Plâtrerie/Accessoires et joints"),
    ("ACC-BANDE", "Bande à joint papier", SUPPLY, "ml", "0.045", "0.10", "20", "Plâtrerie/Accessoires et joints"),
    ("ACC-ENDUIT", "Enduit à joint prêt à l'emploi", SUPPLY, "kg", "1.19", "2.50", "20", "Plâtrerie/Accessoires et joints"),
    ("ISO-LV45", "Laine de verre semi-rigide 45 mm", SUPPLY, "m²", "3.10", "6.20", "5.5", "Plâtrerie/Isolation"),
    ("ELE-CAB15", "Câble R2V 3G1,5 mm²", SUPPLY, "ml", "0.68", "1.50", "20", "Électricité/Câbles et gaines"),
    ("ELE-CAB25", "Câble R2V 3G2,5 mm²", SUPPLY, "ml", "1.05", "2.20", "20", "Électricité/Câbles et gaines"),
    ("ELE-ICTA20", "Gaine ICTA Ø20 mm", SUPPLY, "ml", "0.32", "0.75", "20", "Électricité/Câbles et gaines"),
    ("ELE-BOITE", "Boîte d'encastrement Ø67 mm", SUPPLY, "u", "0.45", "1.20", "20", "Électricité/Appareillage"),
    ("ELE-PC16", "Prise de courant 2P+T 16 A", SUPPLY, "u", "4.90", "11.50", "20", "Électricité/Appareillage"),
    ("ELE-INTER", "Interrupteur va-et-vient", SUPPLY, "u", "4.20", "9.90", "20", "Électricité/Appareillage"),
    ("ELE-DCL", "Douille DCL avec fiche", SUPPLY, "u", "3.60", "8.40", "20", "Électricité/Appareillage"),
    ("ELE-DISJ16", "Disjoncteur divisionnaire 16 A", SUPPLY, "u", "7.80", "17.00", "20", "Électricité/Appareillage"),
    ("PLB-PER16", "Tube PER Ø16 gainé", SUPPLY, "ml", "0.95", "2.10", "20", "Plomberie/Tubes et raccords"),
    ("PLB-CU14", "Tube cuivre 14/16 écroui", SUPPLY, "ml", "6.40", "12.80", "20", "Plomberie/Tubes et raccords"),
    ("PLB-RACC16", "Raccord à sertir Ø16", SUPPLY, "u", "2.30", "5.10", "20", "Plomberie/Tubes et raccords"),
    ("PLB-BATI", "Bâti-support pour WC suspendu", SUPPLY, "u", "145.00", "265.00", "20", "Plomberie/Sanitaires"),
    ("PLB-CUVETTE", "Cuvette WC suspendue sans bride", SUPPLY, "u", "98.00", "189.00", "20", "Plomberie/Sanitaires"),
    ("PLB-PLAQUE", "Plaque de commande double touche", SUPPLY, "u", "32.00", "64.00", "20", "Plomberie/Sanitaires"),
    ("PLB-LAVABO", "Lavabo céramique 60 cm", SUPPLY, "u", "55.00", "115.00", "20", "Plomberie/Sanitaires"),
    ("PLB-MITIGEUR", "Mitigeur lavabo chromé", SUPPLY, "u", "38.00", "79.00", "20", "Plomberie/Sanitaires"),
    ("MO-PLAQUISTE", "Main d'œuvre plaquiste", LABOUR, "h", "38.50", "52.00", "20", "Taux horaires"),
    ("MO-ELECTRICIEN", "Main d'œuvre électricien", LABOUR, "h", "42.00", "58.00", "20", "Taux horaires"),
    ("MO-PLOMBIER", "Main d'œuvre plombier", LABOUR, "h", "44.00", "60.00", "20", "Taux horaires"),
    ("MO-MANOEUVRE", "Main d'œuvre manœuvre", LABOUR, "h", "30.00", "42.00", "20", "Taux horaires"),
    ("MAT-ECHAF", "Location échafaudage roulant", EQUIPMENT, "j", "35.00", "60.00", "20", "Location de matériel"),
    ("MAT-LEVEPLAQUE", "Location lève-plaque", EQUIPMENT, "j", "18.00", "30.00", "20", "Location de matériel"),
    ("MAT-BENNE8", "Benne à gravats 8 m³", EQUIPMENT, "u", "280.00", "390.00", "20", "Location de matériel"),
    ("SRV-DEPLACEMENT", "Forfait déplacement", SERVICE, "forfait", "25.00", "45.00", "20", "Prestations"),
    ("SRV-EVACUATION", "Évacuation et tri des déchets", SERVICE, "forfait", "60.00", "95.00", "20", "Prestations"),
    ("SRV-CONSUEL", "Attestation de conformité Consuel", SERVICE, "u", "140.00", "180.00", "20", "Prestations"),
    ("REM-FIDELITE", "Remise fidélité", DISCOUNT, "forfait", "0", "-50.00", "20", ""),
    ("REM-COMMERCIAL", "Geste commercial", DISCOUNT, "forfait", "0", "-100.00", "20", ""),
]

# Kits and ouvrages are numbered by lot (01 plâtrerie, 02 électricité, 03 plomberie), so
# they head the catalogue list.
# (reference, name, structure, unit, VAT, "Category", [(component reference, quantity)])
COMPOSITES = [
    ("02-KIT-PRISE", "Kit prise de courant encastrée", Item.Structure.KIT, "u", "20", "Électricité/Appareillage",
     [("ELE-BOITE", "1"), ("ELE-PC16", "1"), ("ELE-CAB25", "8"), ("ELE-ICTA20", "8")]),
    ("03-KIT-WC", "Kit WC suspendu complet", Item.Structure.KIT, "u", "20", "Plomberie/Sanitaires",
     [("PLB-BATI", "1"), ("PLB-CUVETTE", "1"), ("PLB-PLAQUE", "1")]),
    ("01-JOINTS", "Traitement des joints de plaques", Item.Structure.ASSEMBLY, "ml", "10", "Plâtrerie",
     [("ACC-BANDE", "1"), ("ACC-ENDUIT", "0.25"), ("MO-PLAQUISTE", "0.05")]),
    ("01-CLOISON-72-48", "Cloison BA13 72/48 avec isolant", Item.Structure.ASSEMBLY, "m²", "10", "Plâtrerie",
     [("OSS-R48", "0.8"), ("OSS-M48", "2.2"), ("PLA-BA13", "2.1"), ("ISO-LV45", "1.05"),
      ("ACC-VIS25", "30"), ("01-JOINTS", "2.6"), ("MO-PLAQUISTE", "0.45")]),
    ("02-POINT-LUMINEUX", "Point lumineux simple allumage", Item.Structure.ASSEMBLY, "u", "10", "Électricité",
     [("ELE-DCL", "1"), ("ELE-INTER", "1"), ("ELE-BOITE", "2"), ("ELE-CAB15", "10"),
      ("ELE-ICTA20", "10"), ("MO-ELECTRICIEN", "1.2")]),
    ("03-WC-SUSPENDU", "Fourniture et pose d'un WC suspendu", Item.Structure.ASSEMBLY, "u", "10", "Plomberie",
     [("03-KIT-WC", "1"), ("PLB-PER16", "3"), ("PLB-RACC16", "4"), ("MO-PLOMBIER", "3.5")]),
]
# fmt: on


def load(company: Company, user: User) -> None:
    """Create the demo catalogue through the services, as `user` (an administrator)."""
    categories = _categories(user)
    suppliers = _suppliers(company)
    items = {
        row[0]: services.item_create(user=user, data=_simple_item(row, categories, suppliers))
        for row in SIMPLE_ITEMS
    }
    for ref, name, structure, unit, vat, path, parts in COMPOSITES:
        item = services.item_create(
            user=user,
            data={
                "reference": ref,
                "name": name,
                "structure": structure,
                "unit": unit,
                "vat_rate": D(vat),
                "category": categories.get(path),
            },
        )
        for component, quantity in parts:
            services.component_add(
                user=user, parent=item, component=items[component], quantity=D(quantity)
            )
        items[ref] = _priced(user, company, item)


def _simple_item(
    row: tuple[str, ...], categories: dict[str, Category], suppliers: dict[str, Supplier]
) -> services.ItemData:
    ref, name, kind, unit, cost, price, vat, path = row
    supplier = suppliers.get(path.split("/")[0]) if kind == SUPPLY else None
    return {
        "reference": ref,
        "name": name,
        "kind": kind,
        "unit": unit,
        "purchase_cost": D(cost),
        "sale_price": D(price),
        "vat_rate": D(vat),
        "category": categories.get(path),
        "supplier": supplier,
        "supplier_reference": f"{ref.split('-')[1]}-{len(name)}" if supplier else "",
        "datasheet_url": f"https://fiches.example.com/{ref.lower()}.pdf" if kind == SUPPLY else "",
    }


def _priced(user: User, company: Company, item: Item) -> Item:
    """A kit or assembly sold at the price its cost and the company's coefficients suggest."""
    detail = selectors.item_detail(company, item)
    price = costing.suggest_sale_price(detail.cost, selectors.coefficients(company)).sale_price
    return services.item_update(user=user, item=item, data={"sale_price": price})


def _categories(user: User) -> dict[str, Category]:
    found: dict[str, Category] = {}
    for name, children in CATEGORIES.items():
        parent = services.category_create(user=user, name=name)
        found[name] = parent
        for child in children:
            found[f"{name}/{child}"] = services.category_create(
                user=user, name=child, parent=parent
            )
    return found


def _suppliers(company: Company) -> dict[str, Supplier]:
    """The parties demo's suppliers by trade; none when the parties demo made none."""
    suppliers = list(Supplier.objects.filter(company=company).order_by("pk"))
    found: dict[str, Supplier] = {}
    for trade, name in SUPPLIER_OF.items():
        match = next((s for s in suppliers if name.lower() in s.name.lower()), None)
        if match is not None:
            found[trade] = match
    return found
