// Interface strings in Russian, Kazakh and English. Keys missing in a language fall back to English.
export type Lang = "ru" | "kk" | "en";

const en = {
  opsCentre: "operations centre", username: "User name", password: "Password",
  totp: "Code from the authenticator app", signIn: "Sign in", signOut: "Sign out",
  loginFailed: "Sign-in failed: check name, password and code", enrolFirst:
    "This account must set up TOTP first (kuzet admin / API).",
  tabMap: "Map", tabWall: "Camera wall", tabStats: "Statistics", queue: "Alerts",
  allCategories: "All categories", allDistricts: "All districts", allAgencies: "All agencies",
  wallHint: "Add cameras to the wall from a camera's card on the map.",
  camera: "Camera", rule: "Rule", score: "Score", agency: "Agency", unit: "Unit",
  state: "State", priority: "Priority", created: "Created", events: "Events",
  district: "District", category: "Category", status: "Status", recentEvents: "Recent events",
  live: "Live picture", addToWall: "Add to wall", remove: "Remove", timeline: "Timeline",
  note: "Note", addNote: "Add note", acknowledge: "Acknowledge", assign: "Assign",
  on_scene: "On scene", resolve: "Resolve", false_alarm: "False alarm", slaAck: "ack in",
  slaResolve: "resolve in", overdue: "overdue", escalated: "escalated", noIncident:
    "Select an alert or a camera.", byType: "Events by type", byHour: "Events by hour (UTC)",
  byDistrict: "Events by district", byAgency: "Events by agency", reactions:
    "Reaction times (seconds)", exportCsv: "Export CSV", incidents: "Incidents",
  ackMedian: "ack median", ackP90: "ack p90", resolveMedian: "resolve median",
  resolveP90: "resolve p90", p1: "high", p2: "medium", p3: "low",
  s_new: "new", s_acknowledged: "acknowledged", s_assigned: "assigned", s_on_scene: "on scene",
  s_resolved: "resolved", s_false_alarm: "false alarm", st_online: "online",
  st_unknown: "unknown", st_failed: "failed", st_reconnecting: "reconnecting",
  enrolTitle: "Set up the second factor", enrolHint:
    "Scan the code with an authenticator app (or type the key), then enter its first code and a new password.",
  newPassword: "New password", enrolConfirm: "Confirm", enrolFailed: "Set-up failed",
  recoveryTitle: "Recovery codes", recoveryHint:
    "Keep them somewhere safe: each works once if the phone is lost. They are shown only now.",
  continue: "Continue", enrolDone: "TOTP is set up: sign in with the new password and a code.",
  playback: "Playback around the event", clipPending: "The clip is still being recorded…",
  clipMissing: "No clip for this event.",
};
type Key = keyof typeof en;

const ru: Partial<Record<Key, string>> = {
  opsCentre: "ситуационный центр", username: "Имя пользователя", password: "Пароль",
  totp: "Код из приложения-аутентификатора", signIn: "Войти", signOut: "Выйти",
  loginFailed: "Вход не выполнен: проверьте имя, пароль и код",
  enrolFirst: "Для этой учётной записи сначала нужно настроить TOTP.",
  tabMap: "Карта", tabWall: "Видеостена", tabStats: "Статистика", queue: "Тревоги",
  allCategories: "Все категории", allDistricts: "Все районы", allAgencies: "Все ведомства",
  wallHint: "Добавляйте камеры на стену из карточки камеры на карте.",
  camera: "Камера", rule: "Правило", score: "Оценка", agency: "Ведомство", unit: "Наряд",
  state: "Статус", priority: "Приоритет", created: "Создан", events: "Событий",
  district: "Район", category: "Категория", status: "Состояние",
  recentEvents: "Последние события", live: "Живое изображение", addToWall: "На видеостену",
  remove: "Убрать", timeline: "Хронология", note: "Заметка", addNote: "Добавить заметку",
  acknowledge: "Принять", assign: "Назначить", on_scene: "На месте", resolve: "Решено",
  false_alarm: "Ложная тревога", slaAck: "принять за", slaResolve: "решить за",
  overdue: "просрочено", escalated: "эскалация", noIncident: "Выберите тревогу или камеру.",
  byType: "События по типам", byHour: "События по часам (UTC)", byDistrict: "События по районам",
  byAgency: "События по ведомствам", reactions: "Время реакции (секунды)",
  exportCsv: "Экспорт CSV", incidents: "Инциденты", ackMedian: "медиана принятия",
  ackP90: "p90 принятия", resolveMedian: "медиана решения", resolveP90: "p90 решения",
  p1: "высокий", p2: "средний", p3: "низкий", s_new: "новый", s_acknowledged: "принят",
  s_assigned: "назначен", s_on_scene: "на месте", s_resolved: "решён",
  s_false_alarm: "ложная тревога", st_online: "в сети", st_unknown: "неизвестно",
  st_failed: "отказ", st_reconnecting: "переподключение",
  enrolTitle: "Настройка второго фактора", enrolHint:
    "Отсканируйте код приложением-аутентификатором (или введите ключ), затем введите первый код и новый пароль.",
  newPassword: "Новый пароль", enrolConfirm: "Подтвердить", enrolFailed: "Настройка не удалась",
  recoveryTitle: "Коды восстановления", recoveryHint:
    "Сохраните их в надёжном месте: каждый действует один раз, если телефон утерян. Показываются только сейчас.",
  continue: "Продолжить", enrolDone: "TOTP настроен: войдите с новым паролем и кодом.",
  playback: "Запись вокруг события", clipPending: "Клип ещё записывается…",
  clipMissing: "Для этого события клипа нет.",
};

const kk: Partial<Record<Key, string>> = {
  opsCentre: "жағдайлық орталық", username: "Пайдаланушы аты", password: "Құпиясөз",
  totp: "Аутентификатор қосымшасындағы код", signIn: "Кіру", signOut: "Шығу",
  loginFailed: "Кіру сәтсіз: атыңызды, құпиясөзді және кодты тексеріңіз",
  enrolFirst: "Бұл есептік жазба үшін алдымен TOTP баптау керек.",
  tabMap: "Карта", tabWall: "Бейнеқабырға", tabStats: "Статистика", queue: "Дабылдар",
  allCategories: "Барлық санаттар", allDistricts: "Барлық аудандар",
  allAgencies: "Барлық ведомстволар",
  wallHint: "Камераларды картадағы камера карточкасынан қабырғаға қосыңыз.",
  camera: "Камера", rule: "Ереже", score: "Баға", agency: "Ведомство", unit: "Жасақ",
  state: "Күйі", priority: "Басымдық", created: "Құрылды", events: "Оқиғалар",
  district: "Аудан", category: "Санат", status: "Жағдайы", recentEvents: "Соңғы оқиғалар",
  live: "Тікелей кескін", addToWall: "Қабырғаға қосу", remove: "Алып тастау",
  timeline: "Хронология", note: "Жазба", addNote: "Жазба қосу", acknowledge: "Қабылдау",
  assign: "Тағайындау", on_scene: "Орнында", resolve: "Шешілді", false_alarm: "Жалған дабыл",
  slaAck: "қабылдауға", slaResolve: "шешуге", overdue: "мерзімі өтті", escalated: "эскалация",
  noIncident: "Дабылды немесе камераны таңдаңыз.", byType: "Оқиғалар түрі бойынша",
  byHour: "Оқиғалар сағат бойынша (UTC)", byDistrict: "Оқиғалар аудан бойынша",
  byAgency: "Оқиғалар ведомство бойынша", reactions: "Әрекет ету уақыты (секунд)",
  exportCsv: "CSV экспорттау", incidents: "Инциденттер", ackMedian: "қабылдау медианасы",
  ackP90: "қабылдау p90", resolveMedian: "шешу медианасы", resolveP90: "шешу p90",
  p1: "жоғары", p2: "орташа", p3: "төмен", s_new: "жаңа", s_acknowledged: "қабылданды",
  s_assigned: "тағайындалды", s_on_scene: "орнында", s_resolved: "шешілді",
  s_false_alarm: "жалған дабыл", st_online: "желіде", st_unknown: "белгісіз",
  st_failed: "ақау", st_reconnecting: "қайта қосылуда",
  enrolTitle: "Екінші факторды баптау", enrolHint:
    "Кодты аутентификатор қосымшасымен сканерлеңіз (немесе кілтті теріңіз), содан кейін алғашқы кодты және жаңа құпиясөзді енгізіңіз.",
  newPassword: "Жаңа құпиясөз", enrolConfirm: "Растау", enrolFailed: "Баптау сәтсіз",
  recoveryTitle: "Қалпына келтіру кодтары", recoveryHint:
    "Оларды сенімді жерде сақтаңыз: телефон жоғалса, әрқайсысы бір рет жарамды. Тек қазір көрсетіледі.",
  continue: "Жалғастыру", enrolDone: "TOTP бапталды: жаңа құпиясөзбен және кодпен кіріңіз.",
  playback: "Оқиға маңындағы жазба", clipPending: "Клип әлі жазылуда…",
  clipMissing: "Бұл оқиғаның клипі жоқ.",
};

const tables: Record<Lang, Partial<Record<Key, string>>> = { en, ru, kk };
let lang: Lang = (localStorage.getItem("kuzet.lang") as Lang) || "ru";

export function t(key: string): string {
  const k = key as Key;
  return tables[lang][k] ?? en[k] ?? key;
}

export function getLang(): Lang {
  return lang;
}

export function setLang(l: Lang): void {
  lang = l;
  localStorage.setItem("kuzet.lang", l);
  document.documentElement.lang = l;
  applyStatic();
}

/** Fills every element marked data-t with its string in the current language. */
export function applyStatic(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>("[data-t]").forEach((el) => {
    el.textContent = t(el.dataset.t!);
  });
  document.querySelectorAll<HTMLSelectElement>("select.lang").forEach((s) => (s.value = lang));
}
