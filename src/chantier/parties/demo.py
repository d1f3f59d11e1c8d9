"""Demo rows of the parties app: clients, suppliers, subcontractors, contacts, sites,
interactions (at least one of each model). Names are made up; SIRENs and VAT numbers
are computed so that they pass the checks."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from stdnum import luhn
from stdnum.fr import siren as fr_siren

from chantier.core.models import Company, User
from chantier.parties import services
from chantier.parties.models import Client, Interaction, Supplier


def siren_from(base: str) -> str:
    """A valid SIREN from 8 digits (the 9th is the Luhn check digit)."""
    return base + luhn.calc_check_digit(base)


def vat_from(siren: str) -> str:
    return "FR" + fr_siren.to_tva(siren)


def _address(line1: str, postcode: str, city: str) -> dict[str, str]:
    return {"address_line1": line1, "postcode": postcode, "city": city}


# (name, kind, SIREN base or "", email, phone, address)
CLIENTS = [
    (
        "SCI Les Tilleuls",
        "company",
        "81234567",
        "gestion@sci-tilleuls.example",
        "04 78 12 34 56",
        _address("8 allée des Tilleuls", "69003", "Lyon"),
    ),
    (
        "Mairie de Caluire-et-Cuire",
        "company",
        "21690034",
        "services.techniques@caluire.example",
        "04 78 98 80 80",
        _address("Place du Docteur Dugoujon", "69300", "Caluire-et-Cuire"),
    ),
    (
        "Boulangerie Martin SARL",
        "company",
        "43306184",
        "contact@boulangerie-martin.example",
        "04 72 10 20 30",
        _address("27 rue Paul Bert", "69003", "Lyon"),
    ),
    (
        "Hôtel du Parc SAS",
        "company",
        "52871234",
        "direction@hotelduparc.example",
        "04 74 65 43 21",
        _address("3 avenue du Parc", "69400", "Villefranche-sur-Saône"),
    ),
    (
        "Clinique Saint-Joseph",
        "company",
        "77564321",
        "travaux@clinique-sj.example",
        "04 72 33 44 55",
        _address("112 boulevard Pinel", "69500", "Bron"),
    ),
    (
        "Agence Rhône Habitat",
        "company",
        "39812345",
        "copro@rhone-habitat.example",
        "04 78 60 70 80",
        _address("45 cours Gambetta", "69007", "Lyon"),
    ),
    (
        "Garage Dumas et Fils",
        "company",
        "31245678",
        "garage.dumas@example.fr",
        "04 78 47 12 12",
        _address("2 route de Vienne", "69008", "Lyon"),
    ),
    (
        "Jean Dupont",
        "individual",
        "",
        "jean.dupont@example.fr",
        "06 12 34 56 78",
        _address("14 rue des Lilas", "69100", "Villeurbanne"),
    ),
    (
        "Marie et Paul Lefèvre",
        "individual",
        "",
        "lefevre.famille@example.fr",
        "06 98 76 54 32",
        _address("5 chemin du Moulin", "69570", "Dardilly"),
    ),
    (
        "Sophie Bernard",
        "individual",
        "",
        "sophie.bernard@example.fr",
        "07 11 22 33 44",
        _address("31 montée de la Grande Côte", "69001", "Lyon"),
    ),
    (
        "Ahmed Benali",
        "individual",
        "",
        "a.benali@example.fr",
        "06 45 67 89 01",
        _address("9 impasse des Vignes", "69290", "Craponne"),
    ),
    (
        "Claire Moreau",
        "individual",
        "",
        "",
        "06 23 45 67 89",
        _address("60 avenue Jean Jaurès", "69200", "Vénissieux"),
    ),
]

# (name, kind, trade, SIREN base, email, phone, address)
SUPPLIERS = [
    (
        "Point P Lyon Gerland",
        "supplier",
        "Matériaux de construction",
        "45612378",
        "lyon-gerland@pointp.example",
        "04 72 71 00 00",
        _address("10 rue Jean Bouin", "69007", "Lyon"),
    ),
    (
        "Cedeo Vénissieux",
        "supplier",
        "Plomberie, chauffage",
        "34567812",
        "venissieux@cedeo.example",
        "04 78 70 11 22",
        _address("18 boulevard Joliot-Curie", "69200", "Vénissieux"),
    ),
    (
        "Rexel Villeurbanne",
        "supplier",
        "Matériel électrique",
        "57812345",
        "villeurbanne@rexel.example",
        "04 72 69 33 44",
        _address("76 rue du 4 Août 1789", "69100", "Villeurbanne"),
    ),
    (
        "Gedimat Bois Rhône",
        "supplier",
        "Bois, menuiserie",
        "60123458",
        "contact@gedimat-rhone.example",
        "04 74 01 55 66",
        _address("ZA des Bruyères", "69330", "Meyzieu"),
    ),
    (
        "Électricité Rousset",
        "subcontractor",
        "Électricité",
        "79234561",
        "contact@elec-rousset.example",
        "06 70 80 90 10",
        _address("4 rue de la Gare", "69360", "Saint-Symphorien-d'Ozon"),
    ),
    (
        "Plâtrerie Peinture Gomez",
        "subcontractor",
        "Plâtrerie, peinture",
        "84512367",
        "gomez.ppg@example.fr",
        "06 33 44 55 66",
        _address("22 rue Victor Hugo", "69600", "Oullins"),
    ),
]


# The first client and supplier by name carry a row of every kind, so that the first
# pages a visitor (or the tenancy crawl) opens show contacts, sites and history.

# (client name, first name, last name, function, email)
CLIENT_CONTACTS = [
    (
        "Agence Rhône Habitat",
        "Isabelle",
        "Fournier",
        "Gestionnaire de copropriété",
        "i.fournier@rhone-habitat.example",
    ),
    ("Agence Rhône Habitat", "Bernard", "Lacroix", "Président du conseil syndical", ""),
    ("SCI Les Tilleuls", "Nathalie", "Garnier", "Gérante", "n.garnier@sci-tilleuls.example"),
    (
        "Mairie de Caluire-et-Cuire",
        "Thierry",
        "Vidal",
        "Directeur des services techniques",
        "t.vidal@caluire.example",
    ),
    (
        "Mairie de Caluire-et-Cuire",
        "Julie",
        "Perrin",
        "Assistante marchés publics",
        "j.perrin@caluire.example",
    ),
]

# (client name, site name, access notes, address)
SITES = [
    (
        "Agence Rhône Habitat",
        "Résidence Les Tilleuls, bâtiment B",
        "Code portail 4512B, clés chez la gardienne.",
        _address("10 allée des Tilleuls", "69003", "Lyon"),
    ),
    (
        "Mairie de Caluire-et-Cuire",
        "École Jean Moulin : réfection de la toiture",
        "Travaux pendant les vacances scolaires uniquement.",
        _address("21 rue Jean Moulin", "69300", "Caluire-et-Cuire"),
    ),
    (
        "Jean Dupont",
        "Maison Dupont : salle de bains",
        "",
        _address("14 rue des Lilas", "69100", "Villeurbanne"),
    ),
]

# (client name, kind, subject, detail, days ago); notes are private.
INTERACTIONS = [
    (
        "Agence Rhône Habitat",
        Interaction.Kind.CALL,
        "Demande de devis ravalement",
        "Rappeler avant vendredi.",
        9,
    ),
    (
        "Agence Rhône Habitat",
        Interaction.Kind.VISIT,
        "Visite technique bâtiment B",
        "Fissures en façade nord.",
        6,
    ),
    (
        "Agence Rhône Habitat",
        Interaction.Kind.NOTE,
        "Assemblée générale en juin",
        "Vote des travaux.",
        5,
    ),
    (
        "Mairie de Caluire-et-Cuire",
        Interaction.Kind.MEETING,
        "Réunion de lancement",
        "Planning validé.",
        3,
    ),
    ("Jean Dupont", Interaction.Kind.NOTE, "Client préfère être appelé le soir", "", 1),
]


def load(company: Company, user: User) -> None:
    """Create the demo rows through the services, as `user` (an administrator)."""
    clients = _load_clients(user)
    suppliers = _load_suppliers(user)
    _load_contacts(user, clients, suppliers)
    _load_sites(user, clients)
    _load_interactions(user, clients)


def _identity(base: str) -> dict[str, str]:
    siren = siren_from(base) if base else ""
    return {"siren": siren, "vat_number": vat_from(siren) if siren else ""}


def _load_clients(user: User) -> dict[str, Client]:
    return {
        name: services.client_create(
            user=user, name=name, kind=kind, email=email, phone=phone, **_identity(base), **address
        )
        for name, kind, base, email, phone, address in CLIENTS
    }


def _load_suppliers(user: User) -> list[Supplier]:
    return [
        services.supplier_create(
            user=user,
            name=name,
            kind=kind,
            trade=trade,
            email=email,
            phone=phone,
            **_identity(base),
            **address,
        )
        for name, kind, trade, base, email, phone, address in SUPPLIERS
    ]


def _load_contacts(user: User, clients: dict[str, Client], suppliers: list[Supplier]) -> None:
    for client_name, first_name, last_name, function, email in CLIENT_CONTACTS:
        services.contact_create(
            user=user,
            client=clients[client_name],
            first_name=first_name,
            last_name=last_name,
            function=function,
            email=email,
            phone="" if email else "06 10 20 30 40",
        )
    for supplier in suppliers:
        is_supplier = supplier.kind == Supplier.Kind.SUPPLIER
        services.contact_create(
            user=user,
            supplier=supplier,
            last_name="Accueil commercial" if is_supplier else "Gérant",
            function="Commandes" if is_supplier else "Chef d'entreprise",
            email=supplier.email,
            phone=supplier.phone,
        )


def _load_sites(user: User, clients: dict[str, Client]) -> None:
    for client_name, name, access_notes, address in SITES:
        services.site_create(
            user=user, client=clients[client_name], name=name, access_notes=access_notes, **address
        )


def _load_interactions(user: User, clients: dict[str, Client]) -> None:
    now = timezone.now()
    for client_name, kind, subject, detail, days_ago in INTERACTIONS:
        services.interaction_create(
            user=user,
            client=clients[client_name],
            kind=kind,
            subject=subject,
            detail=detail,
            date=now - timedelta(days=days_ago),
            private=kind == Interaction.Kind.NOTE,
        )
