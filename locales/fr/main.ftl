# Callhub, français (les mêmes clés que locales/en/main.ftl). Voir le README, « Languages ».

## Erreurs par code (app::protocol::ErrorCode) et erreurs sans code

error-network = Impossible de joindre le serveur. Vérifiez votre connexion.
error-signed-out = Votre session a pris fin. Veuillez vous reconnecter.
error-not-here = Non disponible ici.
error-status = Une erreur s’est produite ({ $status }).
error-unknown = Une erreur s’est produite. Veuillez réessayer.
error-parse_error = La requête n’a pas pu être lue.
error-invalid = Cette valeur n’est pas valide.
error-not_authenticated = Veuillez vous connecter.
error-token_not_valid = Votre session a expiré. Veuillez vous reconnecter.
error-invalid_credentials = Nom d’utilisateur ou mot de passe incorrect.
error-user_not_found = Ce compte n’existe plus.
error-not_your_role = Vous ne pouvez pas faire cela pour cet appel.
error-origin_not_allowed = Cette page ne peut pas se connecter d’ici.
error-not_found = Introuvable.
error-method_not_allowed = Cette action n’est pas possible.
error-unsupported_media_type = Ce type de fichier n’est pas accepté.
error-payload_too_large = Ce fichier est trop volumineux.
error-rate_limited = Trop de tentatives. Patientez un instant, puis réessayez.
error-unavailable = Le service est très sollicité en ce moment. Réessayez dans un instant.
error-internal = Une erreur s’est produite sur le serveur.
error-busy = Cette personne est déjà en appel.
error-call_changed = L’appel a changé entre-temps.
error-message_exists = Un message a déjà été laissé pour cet appel.
error-report_refused = Cet appel n’accepte pas votre rapport de connexion (déjà envoyé, ou cet appel ne peut pas en recevoir).
error-limit_reached = Vous avez atteint la limite.
error-required = Ce champ est obligatoire.
error-not_null = Ce champ est obligatoire.
error-not_a_string = Saisissez du texte ici.
error-blank = Ce champ ne peut pas être vide.
error-too_long = C’est trop long.
error-invalid_choice = Choisissez l’une des options.
error-invalid_integer = Saisissez un nombre entier.
error-invalid_username = Utilisez uniquement des lettres, des chiffres et @ . + - _
error-invalid_email = Saisissez une adresse e-mail valide.
error-password_too_short = Ce mot de passe est trop court : 8 caractères au minimum.
error-password_too_common = Ce mot de passe est trop courant.
error-password_numeric = Ce mot de passe ne contient que des chiffres.
error-password_too_similar = Ce mot de passe ressemble trop à votre nom d’utilisateur ou à votre e-mail.
error-password_mismatch = Les mots de passe ne correspondent pas.
error-username_taken = Ce nom d’utilisateur est déjà pris.
error-email_taken = Cette adresse e-mail est déjà enregistrée.
error-unknown_user = Cette personne n’existe pas.
error-not_yourself = Vous ne pouvez pas faire cela avec vous-même.
error-unblock_first = Débloquez d’abord cette personne.
error-invalid_picture = Envoyez une image PNG, JPEG ou WebP de 16 mégapixels au plus.
error-invalid_message = L’enregistrement n’est pas valide.
error-invalid_time = Choisissez un moment dans le futur.

## Temps

ago-now = à l’instant
ago-minutes = il y a { $count } min
ago-hours = il y a { $count } h
ago-yesterday = hier
ago-days = { $count ->
    [one] il y a { $count } jour
   *[other] il y a { $count } jours
}

## Navigation

nav-main = Menu principal
nav-sign-in = Se connecter
nav-sign-up = S’inscrire
nav-contacts = Contacts
nav-history = Historique
nav-missed = { $count ->
    [one] { $count } appel manqué
   *[other] { $count } appels manqués
}
nav-dnd = Ne pas déranger
nav-connected = Connecté : les appels entrants sonnent ici
nav-reconnecting = Reconnexion…
nav-sign-out = Se déconnecter

## Page d’accueil

home-lead = Des appels audio et vidéo avec vos contacts, directement dans le navigateur.
home-feature-online = Voyez qui est en ligne
home-feature-tabs = Tous les onglets ouverts sonnent
home-feature-missed = Ne manquez plus aucun appel
home-create-account = Créer un compte

## Pages en général

loading = Chargement…
not-found-title = Page introuvable
not-found-back = Retour à la page d’accueil

## Connexion et inscription

field-username = Nom d’utilisateur
field-email = E-mail
field-password = Mot de passe
field-password-confirm = Confirmer le mot de passe
signin-wrong = Nom d’utilisateur ou mot de passe incorrect.
signin-throttled = Trop de tentatives de connexion. Patientez une minute, puis réessayez.
signin-missing = Saisissez votre nom d’utilisateur et votre mot de passe.
signin-pending = Connexion…
signin-new-here = Nouveau ici ?
signup-title = Créer votre compte
signup-pending = Création…
signup-have-account = Vous avez déjà un compte ?

## Contacts

dismiss = Fermer
contacts-mine = Mes contacts
contacts-loading = Chargement des contacts…
contacts-none = Aucun contact pour l’instant.
contacts-none-help = Cherchez quelqu’un sous « Trouver des personnes » et appuyez sur Ajouter. Vous pouvez aussi ajouter des personnes depuis votre historique d’appels ou pendant un appel. Marquez vos favoris d’une étoile pour les garder en haut.
contacts-find = Trouver des personnes
contacts-search-label = Rechercher des personnes
contacts-search-placeholder = Rechercher par nom…
contacts-nobody = Personne d’autre n’est encore là. Invitez un ami à s’inscrire !
contacts-no-match = Personne ne correspond à « { $query } ».
presence-online = En ligne
presence-offline = Hors ligne
presence-last-seen = Vu { $ago }
contacts-favourite = Ajouter { $name } aux favoris
contacts-unfavourite = Retirer { $name } des favoris
contacts-remove-label = Retirer { $name } de vos contacts
contacts-remove = Retirer
call-audio-button = Audio
call-video-button = Vidéo
call-audio-with = Appel audio avec { $name }
call-video-with = Appel vidéo avec { $name }

## Appels : pourquoi ils ont pris fin, leur statut

reason-cancelled = Annulé par l’appelant
reason-rejected = Refusé
reason-busy = Déjà en appel
reason-timeout = Pas de réponse
reason-hangup-caller = L’appelant a raccroché
reason-hangup-receiver = Le destinataire a raccroché
reason-connection-lost = Connexion perdue
reason-answered-elsewhere = Répondu sur un autre appareil
reason-server-restart = Interrompu par un redémarrage du serveur
reason-do-not-disturb = Ne pas déranger
status-initiated = Appel en cours
status-ringing = Sonne
status-accepted = En cours
status-rejected = Refusé
status-ended = Terminé
status-missed = Manqué
status-cancelled = Annulé

## Historique

history-title = Historique des appels
history-tabs = Quels appels
history-tab-all = Tous
history-tab-missed = Manqués
history-loading = Chargement des appels…
history-none-missed = Aucun appel manqué.
history-none = Aucun appel pour l’instant.
history-outgoing = Sortant
history-incoming = Entrant
history-duration = Durée { $duration }
history-call-back = Rappeler
history-call-back-audio = Rappeler { $name } (audio)
history-call-back-video = Rappeler { $name } (vidéo)

## Profil : qui peut vous joindre, ne pas déranger, personnes bloquées

settings-not-saved = Non enregistré : { $error }
privacy-saved-calls-everyone = Enregistré : tout le monde peut vous appeler.
privacy-saved-calls-contacts = Enregistré : seuls vos contacts peuvent vous appeler.
privacy-saved-presence-everyone = Enregistré : tout le monde voit quand vous êtes en ligne.
privacy-saved-presence-contacts = Enregistré : seuls vos contacts voient quand vous êtes en ligne.
privacy-saved-presence-nobody = Enregistré : personne ne voit quand vous êtes en ligne.
privacy-reach-title = Qui peut vous joindre
privacy-who-calls = Qui peut m’appeler
privacy-who-sees = Qui voit quand je suis en ligne
privacy-everyone = Tout le monde
privacy-contacts = Mes contacts
privacy-nobody = Personne
privacy-screened-help = Les appels des personnes qui n’ont pas le droit de vous appeler ne sonnent pas ; pour elles, c’est comme si vous n’aviez pas répondu.
dnd-off-status = Désactivé : les appels sonnent normalement.
dnd-saved-off = « Ne pas déranger » est désactivé.
dnd-saved-on = « Ne pas déranger » est activé.
dnd-help = Tant qu’il est activé, les appels ne sonnent pas : ils vont dans vos appels manqués et l’appelant entend que vous êtes occupé.
blocked-unblocked = { $name } est débloqué.
blocked-unblock-failed = Impossible de débloquer { $name } : { $error }
blocked-title = Personnes bloquées
blocked-none = Personne. Bloquez quelqu’un depuis son appel entrant (Refuser et bloquer).
blocked-unblock-label = Débloquer { $name }
blocked-unblock = Débloquer
dnd-choice-off = Désactivé
dnd-choice-hour = Pendant 1 heure
dnd-choice-morning = Jusqu’à demain 08:00
dnd-choice-on = Jusqu’à ce que je le désactive
dnd-until = Ne pas déranger jusqu’à { $until }
dnd-until-off = Ne pas déranger jusqu’à ce que vous le désactiviez
dnd-tomorrow = demain { $clock }

## Profil

profile-title = Profil
profile-status = Statut
profile-connecting = Connexion…
profile-picture-updated = Photo mise à jour.
profile-picture-removed = Photo supprimée.
profile-picture-change = Changer de photo
profile-picture-upload = Envoyer une photo
profile-picture-remove = Supprimer la photo
profile-picture-help = PNG, JPEG ou WebP, jusqu’à 5 Mio.
theme-title = Apparence
theme-legend = Thème sur ce navigateur
theme-system = Comme cet appareil
theme-light = Clair
theme-dark = Sombre
theme-showing-light = Le thème clair est affiché.
theme-showing-dark = Le thème sombre est affiché.
language-title = Langue
language-legend = Langue sur ce navigateur
language-browser = Comme ce navigateur
language-name-en = English
language-name-de = Deutsch
language-name-fr = Français
language-showing = Affiché en { $language }.
profile-notifications = Notifications d’appel
profile-privacy = Confidentialité
profile-relay = Faire passer les appels par le serveur
profile-relay-help = L’autre personne ne connaît alors jamais vos adresses IP, au prix d’un chemin plus long. S’applique à votre prochain appel sur ce navigateur.
profile-relay-unavailable = Ce serveur n’offre pas de relais TURN : les appels ne peuvent pas aboutir tant que cette option est activée.

## Passer des appels

avatar-alt = Photo de { $name }
dial-busy = { $name } est déjà en appel
dial-busy-now = { $name } est occupé pour le moment
dial-failed = Impossible d’appeler { $name } : { $error }
voicemail-leave = Laisser un message

## L’appel entrant

incoming-audio = Appel audio entrant
incoming-video = Appel vidéo entrant
incoming-audio-from = Appel audio entrant de { $name }
incoming-video-from = Appel vidéo entrant de { $name }
incoming-block-failed = Impossible de bloquer { $name } : { $error }
incoming-sound-blocked = Votre navigateur retient la sonnerie.
incoming-enable-sound = Activer le son
incoming-decline-label = Refuser l’appel de { $name }
incoming-decline = Refuser
incoming-accept-audio = Accepter l’appel audio de { $name }
incoming-accept-video = Accepter l’appel vidéo de { $name }
incoming-accept = Accepter
incoming-decline-block-ask = Refuser et bloquer…
incoming-block-title = Bloquer { $name } ?
incoming-block-help = Ses appels ne sonneront plus chez vous et cette personne ne verra plus quand vous êtes en ligne. Elle n’en est pas informée. Vous pouvez la débloquer depuis votre profil.
incoming-back = Retour
incoming-decline-block = Refuser et bloquer

## Notifications et titre clignotant

notice-calling = { $name } vous appelle
notice-missed-from = Appel manqué de { $name }
notice-missed-audio = Appel audio manqué
notice-missed-video = Appel vidéo manqué
notice-flash-title = Appel entrant : { $name }
notifications-ask = Recevez une notification quand quelqu’un appelle pendant que Callhub est en arrière-plan, et une pour chaque appel manqué entre-temps.
notifications-granted = Activées : les appels qui sonnent pendant que Callhub est en arrière-plan affichent une notification.
notifications-denied = Bloquées dans les paramètres du site de ce navigateur : autorisez-y les notifications pour ce site pour les recevoir.
notifications-unsupported = Ce navigateur ne peut pas afficher de notifications pour ce site.
contacts-added = ✓ Ajouté
contacts-add-label = Ajouter { $name } à vos contacts
contacts-add = + Ajouter
notifications-enable = Activer les notifications d’appel

## Messages quand personne ne répond

voicemail-left = encore { $clock }
voicemail-title = Laisser un message à { $name }
voicemail-limit = Jusqu’à 30 secondes.
voicemail-sent = Message envoyé.
voicemail-record-again = Enregistrer à nouveau
voicemail-record = Enregistrer un message
voicemail-stop = Arrêter
voicemail-send = Envoyer
voicemail-watching = Nous vous préviendrons quand { $name } sera disponible.
voicemail-tell-me = Prévenez-moi quand cette personne est disponible
voicemail-free-now = { $name } est disponible
voicemail-free-body = Cliquez pour l’appeler.
voicemail-call = Appeler { $name }
voicemail-message = Message
voicemail-new-message = Nouveau message
voicemail-play = Écouter
voicemail-cannot-play = Le message ne peut pas être lu ici.
voicemail-open-in-browser = Ouvrez cette page dans un navigateur.
voicemail-cannot-record = Ce navigateur ne peut pas enregistrer de message.
voicemail-cannot-start = L’enregistrement n’a pas pu démarrer.

## Pendant un appel : appareils

device-microphone = Micro
device-camera = Caméra
device-speaker = Haut-parleur
device-numbered = { $device } { $number }
device-default = Par défaut
device-lost-microphone = Votre micro a été déconnecté : l’appel continue avec le micro par défaut.
device-lost-camera = Votre caméra a été déconnectée : l’appel continue avec la caméra par défaut.
device-lost-speaker = Votre haut-parleur a été déconnecté : l’appel continue avec le haut-parleur par défaut.
device-failed-microphone = Ce micro ne peut pas démarrer ({ $error }) : l’appel garde celui qu’il avait.
device-failed-camera = Cette caméra ne peut pas démarrer ({ $error }) : l’appel garde celle qu’il avait.
device-failed-speaker = Ce haut-parleur ne peut pas démarrer ({ $error }) : l’appel garde celui qu’il avait.

## Pendant un appel : qualité de la connexion

quality-measuring = mesure en cours
quality-good = bonne
quality-fair = moyenne
quality-poor = mauvaise
quality-label-yours = Votre connexion : { $grade }
quality-label-other = Connexion de { $name } : { $grade }
quality-poor-both = Votre connexion et celle de { $name } sont mauvaises
quality-poor-yours = Votre connexion est mauvaise
quality-poor-other = La connexion de { $name } est mauvaise

## Pendant un appel : chat et raccourcis

chat = Chat
chat-unread = Chat, { $count } non lus
shortcut-mute = Couper ou rétablir le micro
shortcut-camera = Éteindre ou allumer la caméra
shortcut-share = Partager l’écran ou arrêter le partage
shortcut-help = Afficher ou masquer ces raccourcis

## La page d’appel

outcome-declined = { $name } a refusé
outcome-you-declined = Vous avez refusé cet appel
outcome-busy = { $name } est occupé
outcome-cancelled = Appel annulé
outcome-they-cancelled = { $name } a annulé l’appel
outcome-ended = Appel terminé
outcome-ended-lost = Appel terminé (connexion perdue)
outcome-ended-after = Appel terminé après { $duration }
outcome-ended-after-lost = Appel terminé après { $duration } (connexion perdue)
link-connecting = Connexion…
link-waiting = En attente de { $name }…
link-connected = Connecté
say-calling = Appel de { $name }, ça sonne
say-incoming = Appel entrant de { $name }
call-back-to-contacts = Retour aux contacts
call-kind-video = Appel vidéo
call-kind-audio = Appel audio
call-ringing = Ça sonne…
call-cancel = Annuler
call-incoming = Appel entrant…
call-you = Vous
shortcuts-title = Raccourcis clavier
close = Fermer
chat-message = Message
call-devices = Appareils
call-camera-off = { $name } a éteint sa caméra
call-muted = { $name } a coupé son micro
call-mute = Couper le micro
call-unmute = Rétablir le micro
call-camera-turn-off = Éteindre la caméra
call-camera-turn-on = Allumer la caméra
call-video-on = Activer la caméra
call-video-off = Désactiver la caméra
call-camera-screen-instead = L’écran partagé est envoyé à la place
call-video-unavailable = Cet appel ne peut pas transporter de vidéo : lancez plutôt un appel vidéo.
call-video-failed = Votre caméra ne peut pas démarrer ({ $error }).
call-share = Partager l’écran
call-stop-sharing = Arrêter le partage
call-hang-up = Raccrocher

## La page d’appel : caméra, micro, relais

media-no-camera = Aucune caméra disponible : l’autre personne vous entend mais ne peut pas vous voir.
media-denied-both = Callhub n’a pas le droit d’utiliser votre micro et votre caméra. Autorisez l’accès dans les paramètres du site de votre navigateur, puis rechargez cette page.
media-denied-microphone = Callhub n’a pas le droit d’utiliser votre micro. Autorisez l’accès dans les paramètres du site de votre navigateur, puis rechargez cette page.
media-missing-both = Aucun micro ni caméra trouvés. Branchez-en un, puis rechargez cette page.
media-missing-microphone = Aucun micro trouvé. Branchez-en un, puis rechargez cette page.
media-in-use-both = Votre micro et votre caméra ne peuvent pas démarrer : une autre application les utilise peut-être.
media-in-use-microphone = Votre micro ne peut pas démarrer : une autre application l’utilise peut-être.
media-insecure = Ce navigateur ne peut pas capter le son ou l’image ici (les appels nécessitent une page https sécurisée).
media-failed-both = Votre micro et votre caméra ne peuvent pas démarrer ({ $error }).
media-failed-microphone = Votre micro ne peut pas démarrer ({ $error }).
relay-none = Les appels par relais uniquement sont activés dans votre profil, mais ce serveur n’offre pas de relais TURN : l’appel ne peut pas aboutir. Désactivez cette option dans votre profil pour vous connecter directement.
relay-unreachable = Les appels par relais uniquement sont activés dans votre profil, mais le relais TURN du serveur est injoignable d’ici (il n’a donné aucune adresse de relais à ce navigateur) : l’appel ne peut pas aboutir. Nouvelle tentative en cours ; désactiver cette option dans votre profil permet à l’appel de se connecter directement.
call-no-such-call = Cet appel n’existe pas.
call-sign-in = Veuillez vous connecter pour rejoindre cet appel.

## The per-call report, the device check, picture-in-picture (issue 19)
report-you = Vous
report-who = { $name } :
report-none = aucun rapport
report-aria = Rapport de connexion
report-details = Détails de la connexion
report-caption = La connexion de chaque côté pendant l’appel
report-path-direct = Direct
report-path-relayed-hidden = Relayé (IP masquée)
report-path-relayed = Relayé
report-path-none = Jamais connecté
report-ms = { $ms } ms
report-loss = { $percent } de perte
report-worst = pire : { $grade }
report-reconnects = { $count ->
    [one] 1 reconnexion
   *[other] { $count } reconnexions
}
report-yes = Oui
report-no = Non
report-label-path = Chemin des médias
report-label-ip-hidden = Adresse IP cachée à l’autre personne
report-label-rtt = Aller-retour moyen
report-label-jitter = Gigue moyenne
report-label-loss = Paquets perdus
report-label-worst = Pire qualité
report-label-reconnects = Reconnexions
report-label-connected = Connecté
report-label-samples = Mesures
check-start = Vérifier la caméra, le micro et le haut-parleur
check-stop = Arrêter la vérification
check-camera = Votre caméra
check-devices = Appareils à vérifier
check-level = Niveau du micro
check-speak = Parlez : la barre doit bouger.
check-tone = Jouer un son de test
check-title = Caméra, micro et haut-parleur
check-intro = Vérifiez-les avant un appel. Ce que vous choisissez ici est ce que vos appels utilisent sur ce navigateur.
check-failed = Cet appareil ne peut pas être démarré ({ $error }).
pip-open = Image dans l’image
pip-close = Revenir à la page
