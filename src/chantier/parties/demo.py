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


def load(company: Company, user: User) -> None:
    """Create the demo rows through the services, as `user` (an administrator)."""
    clients: dict[str, Client] = {}
    for name, kind, base, email, phone, address in CLIENTS:
        siren = siren_from(base) if base else ""
        clients[name] = services.client_create(
            user=user,
            name=name,
            kind=kind,
            siren=siren,
            vat_number=vat_from(siren) if siren else "",
            email=email,
            phone=phone,
            **address,
        )
    suppliers: dict[str, Supplier] = {}
    for name, kind, trade, base, email, phone, address in SUPPLIERS:
        siren = siren_from(base)
        suppliers[name] = services.supplier_create(
            user=user,
            name=name,
            kind=kind,
            trade=trade,
            siren=siren,
            vat_number=vat_from(siren),
            email=email,
            phone=phone,
            **address,
        )

    # The first client and supplier by name carry a row of every kind, so that the
    # first pages a visitor (or the tenancy crawl) opens show contacts, sites and history.
    syndic = clients["Agence Rhône Habitat"]
    sci = clients["SCI Les Tilleuls"]
    mairie = clients["Mairie de Caluire-et-Cuire"]
    dupont = clients["Jean Dupont"]
    client_contacts = [
        (
            syndic,
            "Isabelle",
            "Fournier",
            "Gestionnaire de copropriété",
            "i.fournier@rhone-habitat.example",
        ),
        (syndic, "Bernard", "Lacroix", "Président du conseil syndical", ""),
        (sci, "Nathalie", "Garnier", "Gérante", "n.garnier@sci-tilleuls.example"),
        (
            mairie,
            "Thierry",
            "Vidal",
            "Directeur des services techniques",
            "t.vidal@caluire.example",
        ),
        (mairie, "Julie", "Perrin", "Assistante marchés publics", "j.perrin@caluire.example"),
    ]
    for client, first_name, last_name, function, email in client_contacts:
        services.contact_create(
            user=user,
            client=client,
            first_name=first_name,
            last_name=last_name,
            function=function,
            email=email,
            phone="" if email else "06 10 20 30 40",
        )
    for supplier in suppliers.values():
        services.contact_create(
            user=user,
            supplier=supplier,
            last_name="Accueil commercial" if supplier.kind == "supplier" else "Gérant",
            function="Commandes" if supplier.kind == "supplier" else "Chef d'entreprise",
            email=supplier.email,
            phone=supplier.phone,
        )

    services.site_create(
        user=user,
        client=syndic,
        name="Résidence Les Tilleuls, bâtiment B",
        access_notes="Code portail 4512B, clés chez la gardienne.",
        **_address("10 allée des Tilleuls", "69003", "Lyon"),
    )
    services.site_create(
        user=user,
        client=mairie,
        name="École Jean Moulin : réfection de la toiture",
        access_notes="Travaux pendant les vacances scolaires uniquement.",
        **_address("21 rue Jean Moulin", "69300", "Caluire-et-Cuire"),
    )
    services.site_create(
        user=user,
        client=dupont,
        name="Maison Dupont : salle de bains",
        **_address("14 rue des Lilas", "69100", "Villeurbanne"),
    )

    now = timezone.now()
    interactions = [
        (
            syndic,
            Interaction.Kind.CALL,
            "Demande de devis ravalement",
            "Rappeler avant vendredi.",
            9,
        ),
        (
            syndic,
            Interaction.Kind.VISIT,
            "Visite technique bâtiment B",
            "Fissures en façade nord.",
            6,
        ),
        (syndic, Interaction.Kind.NOTE, "Assemblée générale en juin", "Vote des travaux.", 5),
        (mairie, Interaction.Kind.MEETING, "Réunion de lancement", "Planning validé.", 3),
        (dupont, Interaction.Kind.NOTE, "Client préfère être appelé le soir", "", 1),
    ]
    for client, kind, subject, detail, days_ago in interactions:
        services.interaction_create(
            user=user,
            client=client,
            kind=kind,
            subject=subject,
            detail=detail,
            date=now - timedelta(days=days_ago),
            private=kind == Interaction.Kind.NOTE,
        )
