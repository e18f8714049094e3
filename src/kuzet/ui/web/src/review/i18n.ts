// Strings of the violations review screen, under the "vio." prefix, and the desk's errors.
import { prefixed } from "../i18n/admin";
import { dictionary } from "../i18n/core";

const en = {
  tab: "Violations", pending: "Pending", accepted: "Accepted", rejected: "Rejected",
  noKey: "You have no signing key. Choose a signing passphrase (at least 10 characters) to make your own Ed25519 key; you will type it for every decision. It is never stored.",
  passphrase: "Signing passphrase", enrol: "Create my signing key", password: "Your account password",
  yourKey: "Your signing key: {fp}", empty: "Nothing here.", pick: "Choose a violation to review it.",
  time: "Time", camera: "Camera", type: "Violation", plate: "Plate", facts: "Facts",
  before: "Before", at: "At the moment", after: "After", plateCrop: "Plate",
  files: "Parts and SHA-256", missing: "Not recorded", clock: "Clock",
  reason: "Reason (required)", accept: "Accept and sign", reject: "Reject and sign",
  signed: "{decision} by {officer} at {at}, key {fp}", download: "Download the signed package",
  notSigned: "Not reviewed yet: nothing leaves without a signature.", open: "Open",
  synced: "synchronised", unsynced: "NOT synchronised", unknown: "unknown",
};
export const [tv, tvAny] = prefixed("vio.", {
  en,
  ru: {
    tab: "Нарушения", pending: "На проверке", accepted: "Приняты", rejected: "Отклонены",
    noKey: "У вас нет ключа подписи. Задайте пароль подписи (не менее 10 символов), чтобы создать свой ключ Ed25519; он нужен для каждого решения и нигде не хранится.",
    passphrase: "Пароль подписи", enrol: "Создать мой ключ подписи", password: "Пароль учётной записи",
    yourKey: "Ваш ключ подписи: {fp}", empty: "Здесь пусто.", pick: "Выберите нарушение для проверки.",
    time: "Время", camera: "Камера", type: "Нарушение", plate: "Номер", facts: "Факты",
    before: "До", at: "В момент", after: "После", plateCrop: "Номерной знак",
    files: "Части и SHA-256", missing: "Не записано", clock: "Часы",
    reason: "Причина (обязательно)", accept: "Принять и подписать", reject: "Отклонить и подписать",
    signed: "{decision}: {officer}, {at}, ключ {fp}", download: "Скачать подписанный пакет",
    notSigned: "Ещё не проверено: без подписи ничего не уходит.", open: "Открыть",
    synced: "синхронизированы", unsynced: "НЕ синхронизированы", unknown: "неизвестно",
  },
  kk: {
    tab: "Бұзушылықтар", pending: "Тексеруде", accepted: "Қабылданды", rejected: "Қабылданбады",
    noKey: "Сізде қолтаңба кілті жоқ. Өз Ed25519 кілтіңізді жасау үшін қолтаңба құпия сөзін (кемінде 10 таңба) таңдаңыз; ол әр шешімге керек және сақталмайды.",
    passphrase: "Қолтаңба құпия сөзі", enrol: "Менің қолтаңба кілтімді жасау", password: "Тіркелгі құпия сөзі",
    yourKey: "Сіздің қолтаңба кілтіңіз: {fp}", empty: "Бос.", pick: "Тексеру үшін бұзушылықты таңдаңыз.",
    time: "Уақыт", camera: "Камера", type: "Бұзушылық", plate: "Нөмір", facts: "Деректер",
    before: "Дейін", at: "Сәтінде", after: "Кейін", plateCrop: "Нөмір белгісі",
    files: "Бөліктер және SHA-256", missing: "Жазылмаған", clock: "Сағат",
    reason: "Себебі (міндетті)", accept: "Қабылдап, қол қою", reject: "Қабылдамай, қол қою",
    signed: "{decision}: {officer}, {at}, кілт {fp}", download: "Қол қойылған пакетті жүктеу",
    notSigned: "Әлі тексерілмеді: қолтаңбасыз ештеңе шықпайды.", open: "Ашу",
    synced: "синхрондалған", unsynced: "синхрондалмаған", unknown: "белгісіз",
  },
});

dictionary({
  en: { err_no_signing_key: "You have no signing key: create one first.",
        err_passphrase_invalid: "The signing passphrase is wrong.",
        err_passphrase_weak: "The signing passphrase needs at least 10 characters.",
        err_signing_key_exists: "You already have a signing key.",
        err_already_decided: "This violation was already decided.",
        err_not_signed: "Nothing leaves without a signature: not reviewed yet.",
        err_password_invalid: "Your account password is wrong." },
  ru: { err_no_signing_key: "У вас нет ключа подписи: сначала создайте его.",
        err_passphrase_invalid: "Неверный пароль подписи.",
        err_passphrase_weak: "Пароль подписи должен быть не короче 10 символов.",
        err_signing_key_exists: "У вас уже есть ключ подписи.",
        err_already_decided: "По этому нарушению уже принято решение.",
        err_not_signed: "Без подписи ничего не уходит: ещё не проверено.",
        err_password_invalid: "Неверный пароль учётной записи." },
  kk: { err_no_signing_key: "Сізде қолтаңба кілті жоқ: алдымен жасаңыз.",
        err_passphrase_invalid: "Қолтаңба құпия сөзі қате.",
        err_passphrase_weak: "Қолтаңба құпия сөзі кемінде 10 таңба болуы керек.",
        err_signing_key_exists: "Сізде қолтаңба кілті бар.",
        err_already_decided: "Бұл бұзушылық бойынша шешім қабылданған.",
        err_not_signed: "Қолтаңбасыз ештеңе шықпайды: әлі тексерілмеді.",
        err_password_invalid: "Тіркелгі құпия сөзі қате." },
});

// the roles screen's words for the permission (beside the other "acc.perm_" keys)
dictionary({
  en: { "acc.perm_violations_review": "review and sign traffic violations" },
  ru: { "acc.perm_violations_review": "проверять и подписывать нарушения ПДД" },
  kk: { "acc.perm_violations_review": "жол ережесі бұзушылықтарын тексеру және қол қою" },
});
